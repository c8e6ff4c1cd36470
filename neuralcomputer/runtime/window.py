"""The play window: the same machine as the web page, in a pygame window, for people who prefer no browser.

Pointer and keys over the neural screen go to the machine, as on the page (printable
ASCII, Enter, Backspace, Escape, Tab, arrows). F5 reboots, F2 toggles truth (the real
software and the difference beside the neural screen), F9 records the session since
the last boot (action log + GIF) into `record_dir`. The title bar shows the step,
frames/s and input-to-frame latency. The machine steps once per input, as the server
does: pointer moves between two frames merge into one step. A game (software with a
`clock_hz`) steps at its clock instead, with the keys held down at each tick.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402  (after the variable that silences its banner)

from neuralcomputer.actions import HOLD_KEYS, Action  # noqa: E402
from neuralcomputer.errors import UserError  # noqa: E402
from neuralcomputer.runtime.frame_image import frame_rgb  # noqa: E402
from neuralcomputer.runtime.model_catalog import ModelCatalog  # noqa: E402
from neuralcomputer.runtime.session import Session  # noqa: E402

NAMED_KEYS = {
    pygame.K_RETURN: "Enter",
    pygame.K_KP_ENTER: "Enter",
    pygame.K_BACKSPACE: "Backspace",
    pygame.K_ESCAPE: "Escape",
    pygame.K_TAB: "Tab",
    pygame.K_UP: "Up",
    pygame.K_DOWN: "Down",
    pygame.K_LEFT: "Left",
    pygame.K_RIGHT: "Right",
}
HELD_NAMES = {  # pygame.key.name() -> the schema's name, where they differ
    "up": "Up", "down": "Down", "left": "Left", "right": "Right", "space": " ", "return": "Enter", "tab": "Tab",
    "left ctrl": "Ctrl", "right ctrl": "Ctrl", "left shift": "Shift", "right shift": "Shift",
    "left alt": "Alt", "right alt": "Alt",
}  # fmt: skip
REBOOT_KEY, TRUTH_KEY, RECORD_KEY = pygame.K_F5, pygame.K_F2, pygame.K_F9
FPS_CAP = 60  # loops per second when idle; a step costs more than a loop on most models anyway


class PlayWindow:
    """A pygame window over one `Session`; `run()` until the window is closed."""

    def __init__(self, session: Session, scale: int = 4, record_dir: str | Path = "."):
        self.session, self.scale, self.record_dir = session, scale, Path(record_dir)
        pygame.display.init()
        self.note = "F5 reboot, F2 truth, F9 record"
        self._frame_times: list[float] = []
        self._latency_ms = 0.0
        self._held: set[str] = set()  # hold keys down now, for a game's ticks
        self._pressed: str | None = None  # a key pressed since the last tick that is not a hold key
        self._next_tick = time.perf_counter()
        self._draw()
        self._caption()

    def run(self, max_loops: int | None = None) -> None:
        """Handle input and draw until the window closes (or `max_loops` loops have run, for tests)."""
        clock = pygame.time.Clock()
        loops = 0
        while (max_loops is None or loops < max_loops) and self.tick():
            clock.tick(FPS_CAP)
            loops += 1

    def tick(self) -> bool:
        """Apply the input that arrived since the last tick, draw; False once the window is closed."""
        events = pygame.event.get()
        if any(event.type == pygame.QUIT for event in events):
            return False
        started = time.perf_counter()
        if self.session.software.clock_hz:
            stepped = self._game_tick(events, started)
        else:
            stepped = self._apply(events)
        if stepped:
            self._draw()
            self._latency_ms = (time.perf_counter() - started) * 1000
            self._caption()
        return True

    def _game_tick(self, events: list[pygame.event.Event], now: float) -> bool:
        """Keep track of held keys; step once the game's clock says so. Whether it stepped."""
        for event in events:
            if event.type == pygame.KEYDOWN and event.key in (REBOOT_KEY, TRUTH_KEY, RECORD_KEY):
                self._control(event.key)
                continue
            name = pygame.key.name(event.key) if event.type in (pygame.KEYDOWN, pygame.KEYUP) else ""
            name = HELD_NAMES.get(name, name)
            if event.type == pygame.KEYDOWN and name in HOLD_KEYS:
                self._held.add(name)
            elif event.type == pygame.KEYDOWN and len(name) == 1:
                self._pressed = name
            elif event.type == pygame.KEYUP:
                self._held.discard(name)
        if now < self._next_tick:
            return False
        self._next_tick = max(self._next_tick + 1 / self.session.software.clock_hz, now)  # a slow step drops ticks
        hold = tuple(k for k in HOLD_KEYS if k in self._held)
        self.session.step(Action(key=self._pressed, hold=hold))
        self._pressed = None
        return True

    def _apply(self, events: list[pygame.event.Event]) -> bool:
        """Software that waits for input: one step per action (merged pointer moves). Whether it stepped."""
        stepped = False
        move: tuple[int, int] | None = None  # merged pointer moves, sent with the next action
        for event in events:
            action: Action | None = None
            if event.type == pygame.MOUSEMOTION and self._on_screen(event.pos):
                move = self._point(event.pos)
            elif event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP) and event.button == 1:
                if event.type == pygame.MOUSEBUTTONDOWN and self._on_screen(event.pos):
                    action = Action(mouse=self._point(event.pos), button="down")
                elif event.type == pygame.MOUSEBUTTONUP:  # always: a drag may end outside the screen
                    action = Action(mouse=self._point(event.pos), button="up")
            elif event.type == pygame.KEYDOWN and event.key in (REBOOT_KEY, TRUTH_KEY, RECORD_KEY):
                if move is not None:
                    self.session.step(Action(mouse=move))
                    move = None
                self._control(event.key)
                stepped = True
            elif event.type == pygame.KEYDOWN:
                printable = len(event.unicode) == 1 and " " <= event.unicode <= "~"
                key = NAMED_KEYS.get(event.key) or (event.unicode if printable else None)
                if key is not None:
                    action = Action(mouse=move, key=key)
            if action is not None:
                self.session.step(action)
                move, stepped = None, True
        if move is not None:
            self.session.step(Action(mouse=move))
            stepped = True
        return stepped

    def _control(self, key: int) -> None:
        try:
            if key == REBOOT_KEY:
                self.session.reboot()
            elif key == TRUTH_KEY:
                self.session.set_truth(not self.session.truth)
            else:
                stem = time.strftime("play-%Y%m%d-%H%M%S")
                log, video = self.session.save_recording(self.record_dir, stem)
                self.note = f"recorded {log.name} and {video.name}"
                print(f"ncomp play: recorded {self.session.frame.step} steps into {log} and {video}", flush=True)
        except UserError as e:
            self.note = str(e)

    def _draw(self) -> None:
        rgb_HW3 = frame_rgb(self.session.frame, self.session.palette)
        height, width = rgb_HW3.shape[:2]
        size = (width * self.scale, height * self.scale)
        surface = pygame.display.get_surface()
        if surface is None or surface.get_size() != size:
            surface = pygame.display.set_mode(size)
        picture = pygame.image.frombuffer(rgb_HW3.tobytes(), (width, height), "RGB")
        surface.blit(pygame.transform.scale(picture, size), (0, 0))  # transform.scale is nearest-neighbour
        pygame.display.flip()
        now = time.perf_counter()
        self._frame_times = [t for t in self._frame_times if t > now - 1] + [now]

    def _caption(self) -> None:
        pygame.display.set_caption(
            f"{self.session.model_name}: step {self.session.frame.step}, {len(self._frame_times)} frames/s, "
            f"{self._latency_ms:.0f} ms - {self.note}"
        )

    def _on_screen(self, pos: tuple[int, int]) -> bool:
        """Whether a window position is over the neural screen (not the truth panels beside it)."""
        return pos[0] < self.session.model.config.width * self.scale

    def _point(self, pos: tuple[int, int]) -> tuple[int, int]:
        """A window position as a screen pixel, clamped onto the screen."""
        config = self.session.model.config
        x, y = pos[0] // self.scale, pos[1] // self.scale
        return min(max(x, 0), config.width - 1), min(max(y, 0), config.height - 1)


def run_window(
    model: str,
    *,
    scale: int = 4,
    seed: int = 0,
    device: str = "cpu",
    record_dir: str | Path = ".",
    compile: bool = False,
) -> None:
    """Open a window on a neural computer (a shipped model's name or a checkpoint directory) until it is closed."""
    session = Session(ModelCatalog(model, [], device, compile).load(model), model, seed=seed)
    try:
        PlayWindow(session, scale, record_dir).run()
    finally:
        pygame.display.quit()
