"""A real X program as a `Software`: xterm, xcalc or any command, on a private Xvfb screen.

This is how NeuralOS recorded a real desktop, for one program at a time: the
program runs unmodified on its own X server (no window manager: its window is
stretched over the screen and given the keyboard), takes real input events
(XTest), and each step's screen is captured once the program has answered.

Steps. An action's held keys are pressed (and keys no longer held released)
and stay down until an action without them; then the pointer moves, the left
button goes down or up, and a key is pressed and released, as the schema says.
Then the screen is captured until it holds still for `quiet_s`; for a key or
button, whose effect a person waits to see, it is first given up to `response_s`
to change at all. So a frame belongs to its action unless the program takes
longer than that to start drawing, or keeps drawing for longer than `timeout_s`
(counted in `state()["unsettled_steps"]`).

Screens are palette indices (see `palette.py`: exact for calibrated programs).
X does not draw the pointer into the framebuffer, so the desktop's arrow is
stamped at the pointer, its fill in the palette's last colour and nothing else.

Determinism: `reset(seed)` restarts the program in a fresh copy of the same
scratch files with the pointer at a seeded spot, so the same actions give the
same screens as long as every response settles in time; a program that reads
the clock or the scratch path (`date`, `pwd`) differs between runs.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

import numpy as np

from neuralcomputer.actions import HOLD_KEYS, Action
from neuralcomputer.errors import UserError
from neuralcomputer.software.desktop.draw import TRANSPARENT, stamp
from neuralcomputer.software.desktop.icons import POINTER
from neuralcomputer.software.desktop.palette import BLACK as ARROW_OUTLINE
from neuralcomputer.software.desktop.palette import POINTER_COLOR as ARROW_FILL
from neuralcomputer.software.x11.keys import keysym
from neuralcomputer.software.x11.palette import Quantiser, palette_for
from neuralcomputer.software.x11.programs import command_line, make_scratch
from neuralcomputer.software.x11.xvfb import VirtualDisplay, WindowBox, die_with_parent, stop

MIN_SIZE = 64
WINDOW_TIMEOUT_S = 10.0  # for the program's first window
BOOT_QUIET_S = 0.3  # the first screen must hold still this long (a shell prompt comes after the window)


class X11App:
    """One X program on its own Xvfb as a `neuralcomputer.software.base.Software`."""

    name = "x11"
    clock_hz = None  # stepped per action; each frame waits for the screen to settle

    def __init__(
        self,
        width: int = 256,
        height: int = 192,
        app: str = "xterm",
        quiet_s: float = 0.04,
        response_s: float = 0.3,
        timeout_s: float = 2.0,
    ):
        if width < MIN_SIZE or height < MIN_SIZE:
            raise UserError(f"x11: a {width}x{height} screen is too small; use at least {MIN_SIZE}x{MIN_SIZE}")
        if not command_line(app, width, height):
            raise UserError("x11: --app needs a program (xterm, xcalc or a command line)")
        self.width, self.height, self.app = width, height, app
        self.quiet_s, self.response_s, self.timeout_s = quiet_s, response_s, timeout_s
        self.palette = palette_for(app)
        self.pointer_color = fill = len(self.palette) - 1  # the arrow's fill, and nothing else
        outline = int(np.argmin(self.palette[:-1].astype(int).sum(1)))  # the darkest colour
        self._arrow = np.where(POINTER == ARROW_FILL, fill, np.where(POINTER == ARROW_OUTLINE, outline, TRANSPARENT))
        self._display: VirtualDisplay | None = None  # started on the first reset: building one is cheap
        self._quantiser = Quantiser(self.palette)
        self._program: subprocess.Popen | None = None
        self._scratch: tempfile.TemporaryDirectory | None = None
        self._held: set[str] = set()
        self._pointer, self._button = (0, 0), False
        self._raw = b""
        self.unsettled_steps = 0

    def reset(self, seed: int = 0) -> np.ndarray:
        """Restart the program in fresh scratch files, the pointer at a spot chosen by `seed`; its first screen."""
        if self._display is None:
            self._display = VirtualDisplay(self.width, self.height)
        self._stop_program()
        d = self._display
        for name in self._held:
            d.key(keysym(name), down=False, shift_if_needed=False)
        if self._button:
            d.button(down=False)
        self._held, self._button, self.unsettled_steps = set(), False, 0
        rng = np.random.default_rng(seed)
        self._pointer = (int(rng.integers(self.width)), int(rng.integers(self.height)))
        d.move(*self._pointer)
        d.sync()
        self._start_program()
        self._raw = b""
        return self._frame(self._settle(expect_change=True, quiet_s=BOOT_QUIET_S))

    def step(self, action: Action) -> np.ndarray:
        """Send `action` as real input events; the screen once the program has answered."""
        d = self._display
        wanted = set(action.hold)
        for name in self._held - wanted:
            d.key(keysym(name), down=False, shift_if_needed=False)
        for name in (k for k in HOLD_KEYS if k in wanted - self._held):
            d.key(keysym(name), down=True, shift_if_needed=False)
        self._held = wanted
        if action.mouse is not None:
            self._pointer = action.mouse
            d.move(*action.mouse)
        if action.button is not None:
            self._button = action.button == "down"
            d.button(self._button)
        if action.key is not None:
            auto_shift = "Shift" not in self._held  # a held Shift already shifts the key, and must stay down
            d.key(keysym(action.key), down=True, shift_if_needed=auto_shift)
            d.key(keysym(action.key), down=False, shift_if_needed=auto_shift)
        d.sync()
        expect = action.key is not None or action.button is not None
        return self._frame(self._settle(expect_change=expect, quiet_s=self.quiet_s))

    def state(self) -> dict:
        """The program, the pointer and held input, its windows, and how exact and settled the screens were."""
        return {
            "app": self.app,
            "pointer": list(self._pointer),
            "button": self._button,
            "held": [k for k in HOLD_KEYS if k in self._held],
            "windows": [list(w) for w in self.windows()],
            "running": self._program is not None and self._program.poll() is None,
            "unmatched_colours": self._quantiser.unmatched,
            "unsettled_steps": self.unsettled_steps,
        }

    @property
    def pointer(self) -> tuple[int, int]:
        return self._pointer

    def windows(self) -> list[WindowBox]:
        """The program's windows (its main window, its widgets' windows), for scripted users."""
        return self._display.windows() if self._display is not None else []

    def colours_seen(self) -> list[tuple[int, int, int]]:
        """Every colour captured so far: after a calibration run, the program's palette (see palette.py)."""
        return self._quantiser.colours_seen()

    def close(self) -> None:
        """Stop the program and the X server, and delete the scratch files."""
        self._stop_program()
        if self._display is not None:
            self._display.close()
            self._display = None

    def __enter__(self) -> "X11App":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start_program(self) -> None:
        self._scratch = tempfile.TemporaryDirectory(prefix="ncomp-x11-")
        home = make_scratch(Path(self._scratch.name))
        env = {
            "DISPLAY": self._display.name,
            "HOME": str(home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C",  # plain ASCII and a fixed sort order for `ls`
            "PS1": "$ ",
            "SHELL": "/bin/sh",
        }
        argv = command_line(self.app, self.width, self.height)
        try:
            self._program = subprocess.Popen(
                argv, cwd=home, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent,
            )
        except FileNotFoundError:
            raise UserError(f"x11: no program {argv[0]!r}; install it (scripts/install-system-deps.sh)") from None
        self._program_finalizer = weakref.finalize(self, stop, self._program)
        deadline = time.monotonic() + WINDOW_TIMEOUT_S
        while not (windows := self._display.top_level_windows()):
            if self._program.poll() is not None or time.monotonic() > deadline:
                raise UserError(f"x11: {' '.join(argv)!r} opened no window within {WINDOW_TIMEOUT_S:.0f} s")
            time.sleep(0.01)
        self._display.fill_screen(windows[-1])

    def _stop_program(self) -> None:
        if self._program is not None:
            self._program_finalizer()
            self._program = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def _settle(self, expect_change: bool, quiet_s: float) -> bytes:
        """Capture until the screen holds still for `quiet_s`; if `expect_change`, first wait up to
        `response_s` for it to differ from the last step's screen."""
        start = time.monotonic()
        current = self._display.capture()
        changed = current != self._raw
        while True:
            time.sleep(quiet_s)
            latest = self._display.capture()
            elapsed = time.monotonic() - start
            if latest != current:
                changed, current = True, latest
                if elapsed > self.timeout_s:
                    self.unsettled_steps += 1
                    break
            elif changed or not expect_change or elapsed >= self.response_s:
                break
        self._raw = current
        return current

    def _frame(self, raw: bytes) -> np.ndarray:
        screen = self._quantiser(raw, self.height, self.width)
        stamp(screen, *self._pointer, self._arrow)
        return screen
