"""The reference desktop: a deterministic windowed OS that a neural computer learns by watching.

A window manager over four apps (Files, Notepad, Calculator, Terminal), drawn in
a 13-colour palette with a 4x6 font. All input is step-based, with no clock:
each action moves the pointer, then presses or releases the button, then types
a key. Buttons, icons and taskbar entries act on "down"; a second "down" within
DOUBLE_CLICK_STEPS steps and DOUBLE_CLICK_PIXELS pixels of the first is a
double-click. Keys go to the focused window.

Speed comes from caching: each window keeps its own picture, redrawn only when
its app changes; the scene under the pointer is recomposited only when
something on it changed; a step that just moves the pointer copies the scene
and stamps the pointer.
"""

from __future__ import annotations

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError
from neuralcomputer.software.desktop import folders
from neuralcomputer.software.desktop.calculator import Calculator
from neuralcomputer.software.desktop.draw import paste, stamp
from neuralcomputer.software.desktop.files import Files
from neuralcomputer.software.desktop.font import CELL_W, GLYPH_H
from neuralcomputer.software.desktop.icons import ICON_H, POINTER
from neuralcomputer.software.desktop.notepad import Notepad
from neuralcomputer.software.desktop.palette import PALETTE, POINTER_COLOR
from neuralcomputer.software.desktop.shell import (
    ICON_BOX_H,
    MARGIN,
    SLOT_W,
    TASKBAR_H,
    draw_desktop,
    draw_taskbar,
    icon_slots,
    taskbar_entries,
)
from neuralcomputer.software.desktop.terminal import Terminal
from neuralcomputer.software.desktop.window import CHROME_H, CHROME_W, TITLE_H, Window

APP_CLASSES = {cls.name: cls for cls in (Files, Notepad, Calculator, Terminal)}
APPS = tuple(APP_CLASSES)
LABELS = {name: cls.label for name, cls in APP_CLASSES.items()}
MIN_WIDTH, MIN_HEIGHT = 96, 96  # the calculator and four icons must fit
DOUBLE_CLICK_STEPS, DOUBLE_CLICK_PIXELS = 8, 3
DRAG_MARGIN = 32  # pixels of a dragged window kept on screen horizontally, so its title bar stays reachable
# Where each window first opens, in the area right of the icons and above the taskbar:
# (x, y) as fractions of the room left beside and below the window (0 = left/top edge,
# 1 = right/bottom edge), then (w, h) as fractions of the area, capped in pixels so
# that on big screens windows stay window-sized. Apps with a fixed size ignore (w, h).
LAYOUT = {
    "files": (0.05, 0.05, 0.80, 0.56, 120, 90),
    "notepad": (0.80, 0.35, 0.88, 0.58, 150, 100),
    "calculator": (1.00, 0.00, 0.0, 0.0, 0, 0),
    "terminal": (0.00, 1.00, 0.98, 0.70, 160, 110),
}
MIN_WINDOW_W, MIN_WINDOW_H = 64, 60  # so Files shows a whole folder and Terminal a useful line


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


class Desktop:
    """The desktop as a `neuralcomputer.software.base.Software`, plus geometry queries for scripted users."""

    name = "desktop"
    pointer_color = POINTER_COLOR
    clock_hz = None  # waits for input

    def __init__(self, width: int = 128, height: int = 128):
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            raise UserError(f"desktop: a {width}x{height} screen is too small; use at least {MIN_WIDTH}x{MIN_HEIGHT}")
        self.width, self.height = width, height
        self.palette = PALETTE
        self._slots = icon_slots(APPS, height)
        self._scene = np.zeros((height, width), dtype=np.uint8)  # everything but the pointer
        # The desktop and the taskbar change rarely: each is cached with what it was drawn from.
        self._background = np.zeros((height, width), dtype=np.uint8)
        self._taskbar_strip = np.zeros((TASKBAR_H, width), dtype=np.uint8)
        self._drawn_background: tuple | None = None
        self._drawn_taskbar: tuple | None = None
        self.reset()

    # --- Software protocol ---

    def reset(self, seed: int = 0) -> np.ndarray:
        """Boot to an empty desktop; the seed only places the pointer."""
        rng = np.random.default_rng(seed)
        self._pointer = (int(rng.integers(self.width)), int(rng.integers(self.height)))
        self._windows: dict[str, Window] = {}  # open windows, in the order they were opened (the taskbar's)
        self._z: list[str] = []  # open windows, bottom to top, minimised ones included
        self._focus: str | None = None
        self._selected_icon: str | None = None
        self._drag: tuple[str, int, int] | None = None  # window, grab offset x, y
        self._last_down: tuple[int, int, int] | None = None  # step, x, y of the last "down" (for double-clicks)
        self._steps = 0
        self._scene_dirty = True
        return self._frame()

    def step(self, action: Action) -> np.ndarray:
        """Apply one action (move, then button, then key); return the next screen."""
        self._steps += 1
        if action.mouse is not None:
            self._move(*action.mouse)
        if action.button == "down":
            self._press()
        elif action.button == "up":
            self._drag = None
        if action.key is not None and self._focus is not None:
            self._windows[self._focus].app.key(action.key)
        return self._frame()

    def state(self) -> dict:
        """Everything that determines the next frames, as JSON-able data."""
        return {
            "step": self._steps,
            "pointer": list(self._pointer),
            "focus": self._focus,
            "z_order": list(self._z),
            "selected_icon": self._selected_icon,
            "dragging": self._drag[0] if self._drag else None,
            "last_down": list(self._last_down) if self._last_down else None,
            "windows": [  # in taskbar order (the order they were opened)
                {
                    "app": name,
                    "rect": list(win.rect),
                    "client": list(win.client_rect),
                    "minimized": win.minimized,
                    "title": win.app.title,
                }
                for name, win in self._windows.items()
            ],
            "apps": {name: win.app.state() for name, win in self._windows.items()},
        }

    # --- input ---

    def _move(self, x: int, y: int) -> None:
        self._pointer = (min(max(x, 0), self.width - 1), min(max(y, 0), self.height - 1))
        if self._drag:
            name, dx, dy = self._drag
            win = self._windows[name]
            win.x = min(max(self._pointer[0] - dx, DRAG_MARGIN - win.w), self.width - DRAG_MARGIN)
            win.y = min(max(self._pointer[1] - dy, 0), self.height - TASKBAR_H - TITLE_H - 1)
            self._scene_dirty = True

    def _press(self) -> None:
        x, y = self._pointer
        last = self._last_down
        double = (
            last is not None
            and self._steps - last[0] <= DOUBLE_CLICK_STEPS
            and max(abs(x - last[1]), abs(y - last[2])) <= DOUBLE_CLICK_PIXELS
        )
        self._last_down = None if double else (self._steps, x, y)  # a third click starts a new pair
        self._drag = None  # a "down" without an "up" since the last one ends any drag
        self._scene_dirty = True
        if y >= self.height - TASKBAR_H:
            for name, rect in self._taskbar().items():
                if _overlaps((x, y - (self.height - TASKBAR_H), 1, 1), rect):
                    self._show(name)
            return
        name = self.top_window_at(x, y)
        if name is None:
            self._focus = None
            self._selected_icon = next(
                (app for app, (sx, sy) in self._slots.items() if _overlaps((x, y, 1, 1), (sx, sy, SLOT_W, ICON_BOX_H))),
                None,
            )
            if double and self._selected_icon:
                self._open(self._selected_icon)
            return
        win = self._windows[name]
        self._show(name)
        part = win.part_at(x, y)
        if part == "close":
            self._close(name)
        elif part == "minimize":
            win.minimized = True
            self._focus = self.topmost()
        elif part == "title":
            self._drag = (name, x - win.x, y - win.y)
        elif part == "client":
            cx, cy, _, _ = win.client_rect
            path = win.app.click(x - cx, y - cy, double)
            if path:
                self._open("notepad")
                self._windows["notepad"].app.open(path.rsplit("/", 1)[1], folders.lookup(path))

    # --- window management ---

    def _open(self, name: str) -> None:
        """Open an app's window, or bring back the one already open."""
        if name not in self._windows:
            x, y, w, h = self._initial_rect(name)
            self._windows[name] = Window(APP_CLASSES[name](w - CHROME_W, h - CHROME_H), x, y)
            self._z.append(name)
        self._show(name)

    def _show(self, name: str) -> None:
        """Restore (if minimised), raise and focus a window."""
        self._windows[name].minimized = False
        self._z.remove(name)
        self._z.append(name)
        self._focus = name

    def _close(self, name: str) -> None:
        """Close a window, discarding its app's state."""
        del self._windows[name]
        self._z.remove(name)
        self._focus = self.topmost()

    def topmost(self) -> str | None:
        """The app whose window is in front, if any shows (the focus can leave it: a press on the desktop)."""
        return next((name for name in reversed(self._z) if not self._windows[name].minimized), None)

    def _initial_rect(self, name: str) -> tuple[int, int, int, int]:
        area_x = max(x for x, _ in self._slots.values()) + SLOT_W + MARGIN
        area_w, area_h = self.width - area_x, self.height - TASKBAR_H
        fx, fy, fw, fh, max_w, max_h = LAYOUT[name]
        fixed = APP_CLASSES[name].fixed_size
        if fixed:
            w, h = fixed[0] + CHROME_W, fixed[1] + CHROME_H
        else:
            w = min(max(min(round(fw * area_w), max_w), MIN_WINDOW_W), self.width)
            h = min(max(min(round(fh * area_h), max_h), MIN_WINDOW_H), area_h)
        x = min(max(area_x + round(fx * (area_w - w)), 0), self.width - w)
        y = max(round(fy * (area_h - h)), 0)
        return x, y, w, h

    def _taskbar(self) -> dict[str, tuple[int, int, int, int]]:
        """Taskbar entries, in taskbar coordinates."""
        return taskbar_entries(list(self._windows), self.width)

    # --- drawing ---

    def _frame(self) -> np.ndarray:
        for name in self._z:
            win = self._windows[name]
            if not win.minimized and win.render(focused=name == self._focus):
                self._scene_dirty = True
        if self._scene_dirty:
            if self._drawn_background != (self._selected_icon,):
                draw_desktop(self._background, self._slots, LABELS, self._selected_icon)
                self._drawn_background = (self._selected_icon,)
            if self._drawn_taskbar != (tuple(self._windows), self._focus):
                draw_taskbar(self._taskbar_strip, self._taskbar(), LABELS, self._focus)
                self._drawn_taskbar = (tuple(self._windows), self._focus)
            self._scene[:] = self._background
            for name in self._z:
                win = self._windows[name]
                if not win.minimized:
                    paste(self._scene, win.x, win.y, win.image)
            self._scene[self.height - TASKBAR_H :] = self._taskbar_strip
            self._scene_dirty = False
        frame = self._scene.copy()
        stamp(frame, *self._pointer, POINTER)
        return frame

    # --- geometry queries for scripted users (screen coordinates) ---

    @property
    def pointer(self) -> tuple[int, int]:
        """Where the pointer's tip is."""
        return self._pointer

    def icon_center(self, app: str) -> tuple[int, int]:
        """The middle of an app's desktop icon (double-click it to open the app)."""
        x, y = self._slots[app]
        return x + SLOT_W // 2, y + ICON_H // 2

    def is_open(self, app: str) -> bool:
        """Whether the app has a window, minimised or not."""
        return app in self._windows

    def is_minimized(self, app: str) -> bool:
        """Whether the app's window is open but minimised to the taskbar."""
        return app in self._windows and self._windows[app].minimized

    def focused(self) -> str | None:
        """The app whose window gets the keys, if any."""
        return self._focus

    def window_rect(self, app: str) -> tuple[int, int, int, int] | None:
        """The whole window (kept while minimised: where it will come back)."""
        return self._windows[app].rect if app in self._windows else None

    def client_rect(self, app: str) -> tuple[int, int, int, int] | None:
        """The app's area inside its window (kept while minimised)."""
        return self._windows[app].client_rect if app in self._windows else None

    def _shown(self, app: str) -> Window | None:
        win = self._windows.get(app)
        return win if win is not None and not win.minimized else None

    def _on_screen(self, point: tuple[int, int] | None) -> tuple[int, int] | None:
        if point is None or not (0 <= point[0] < self.width and 0 <= point[1] < self.height - TASKBAR_H):
            return None
        return point

    def title_bar_point(self, app: str) -> tuple[int, int] | None:
        """A point on the visible part of the title bar, off its buttons (None if minimised or closed)."""
        win = self._shown(app)
        if win is None:
            return None
        start, end = win.title_span()
        start, end = max(start, 0), min(end, self.width)
        return self._on_screen(((start + end) // 2, win.y + 1 + TITLE_H // 2)) if start < end else None

    def minimize_button(self, app: str) -> tuple[int, int] | None:
        """The middle of the window's minimise button, if shown on screen."""
        win = self._shown(app)
        return self._on_screen(win.button_center("minimize")) if win else None

    def close_button(self, app: str) -> tuple[int, int] | None:
        """The middle of the window's close button, if shown on screen."""
        win = self._shown(app)
        return self._on_screen(win.button_center("close")) if win else None

    def taskbar_entry(self, app: str) -> tuple[int, int] | None:
        """The middle of the app's taskbar entry, if it is open."""
        rect = self._taskbar().get(app)
        return (rect[0] + rect[2] // 2, self.height - TASKBAR_H + rect[1] + rect[3] // 2) if rect else None

    def top_window_at(self, x: int, y: int) -> str | None:
        """The window on top at a screen point (None on the desktop or the taskbar)."""
        if y >= self.height - TASKBAR_H:
            return None
        shown = (name for name in reversed(self._z) if not self._windows[name].minimized)
        return next((name for name in shown if self._windows[name].contains(x, y)), None)

    def _client_point(self, win: Window | None, point: tuple[int, int] | None) -> tuple[int, int] | None:
        if win is None or point is None:
            return None
        cx, cy, _, _ = win.client_rect
        return self._on_screen((cx + point[0], cy + point[1]))

    def calculator_button(self, label: str) -> tuple[int, int] | None:
        """Centre of a calculator button, label in "0123456789+-*/=C"."""
        win = self._shown("calculator")
        return self._client_point(win, win.app.button_center(label) if win else None)

    def files_entries(self) -> list[str]:
        """Entries Files shows now, ".." included (none while closed or minimised)."""
        win = self._shown("files")
        return list(win.app.shown) if win else []

    def files_entry(self, name: str) -> tuple[int, int] | None:
        """Centre of an entry's row in Files."""
        win = self._shown("files")
        return self._client_point(win, win.app.entry_center(name) if win else None)

    def text_regions(self) -> list[dict]:
        """Every line of app text fully visible now: {"x", "y", "text", "color"}, (x, y) = first cell's top-left.

        A line is left out if any glyph pixel of it is off screen or under another
        window, the taskbar or the pointer's bounding box.
        """
        shown = [name for name in self._z if not self._windows[name].minimized]
        pointer_box = (*self._pointer, POINTER.shape[1], POINTER.shape[0])
        taskbar_box = (0, self.height - TASKBAR_H, self.width, TASKBAR_H)
        regions = []
        for i, name in enumerate(shown):
            win = self._windows[name]
            covers = [self._windows[above].rect for above in shown[i + 1 :]] + [taskbar_box, pointer_box]
            cx, cy, _, _ = win.client_rect
            for x, y, text, color in win.app.lines:
                box = (cx + x, cy + y, len(text) * CELL_W - 1, GLYPH_H)
                fits = 0 <= box[0] <= self.width - box[2] and 0 <= box[1] <= self.height - box[3]
                if fits and not any(_overlaps(box, cover) for cover in covers):
                    regions.append({"x": box[0], "y": box[1], "text": text, "color": color})
        return regions
