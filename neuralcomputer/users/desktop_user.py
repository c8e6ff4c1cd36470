"""A scripted person using the reference desktop.

It mixes goal-directed tasks (compute with the calculator by clicks and by keys,
write and edit a note, browse folders and open a file, run terminal commands,
drag windows, minimise a window and come back to it hundreds of steps later)
with random exploration, so that every app, transition and window arrangement
shows up in the recordings. Like a person it looks at the screen between
actions: each task is a generator that asks the live desktop where things are
at the moment it needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.software.desktop import APPS, Desktop
from neuralcomputer.software.desktop.shell import TASKBAR_H
from neuralcomputer.users.keyboard import arithmetic, pause, typing
from neuralcomputer.users.pointer import pointer_path

Point = tuple[int, int]
Task = Iterator[Action]

WORDS = (
    "the quick brown fox jumps over a lazy dog neural computer state memory pixel window "
    "screen note hello world learn watch run step clock files data model train copy paste"
).split()
TERMINAL_COMMANDS = (
    "ls", "ls docs", "cd docs", "cd ..", "cat hello.txt", "cat readme.txt", "help", "clear",
    "echo hello world", "echo neural computer", "calc 12*(3+4)", "calc 2+2", "pwd", "foo",
)


class DesktopUser:
    """Yields one `Action` per step, forever, choosing tasks at random by weight."""

    def __init__(self, desktop: Desktop, rng: np.random.Generator):
        self.desktop = desktop
        self.rng = rng
        self.tasks: dict[Callable[[], Task], float] = {
            self.calculator_by_clicks: 2.0,
            self.calculator_by_keys: 2.0,
            self.write_note: 2.0,
            self.browse_files: 2.0,
            self.terminal_commands: 2.0,
            self.drag_window: 1.5,
            self.minimise_work_restore: 1.5,
            self.close_window: 0.7,
            self.explore: 1.5,
            self.idle: 0.5,
        }

    def __iter__(self) -> Iterator[Action]:
        tasks = list(self.tasks)
        weights = np.array(list(self.tasks.values()))
        while True:
            task = tasks[self.rng.choice(len(tasks), p=weights / weights.sum())]
            yield from task()

    # -- what a hand does -------------------------------------------------------
    def move(self, target: Point | None) -> Task:
        """Glide to `target`; a target the desktop cannot show (None) is given up on."""
        if target is None:
            return
        d = self.desktop
        for point in pointer_path(d.pointer, target, self.rng, d.width, d.height):
            yield Action(mouse=point)

    def click(self, target: Point | None) -> Task:
        if target is None:
            return
        yield from self.move(target)
        yield Action(button="down")
        yield Action(button="up")

    def double_click(self, target: Point | None) -> Task:
        if target is None:
            return
        yield from self.move(target)
        for _ in range(2):
            yield Action(button="down")
            yield Action(button="up")

    def drag(self, start: Point, end: Point) -> Task:
        d = self.desktop
        yield from self.move(start)
        yield Action(button="down")
        for point in pointer_path(start, end, self.rng, d.width, d.height):
            yield Action(mouse=point)
        yield Action(button="up")

    # -- getting an app in front ---------------------------------------------------
    def bring_up(self, app: str) -> Task:
        """Open, restore or raise `app` so that it is the focused, topmost window."""
        d = self.desktop
        if not d.is_open(app):
            yield from self.uncover(d.icon_center(app))
            yield from self.double_click(d.icon_center(app))
        elif d.is_minimized(app):
            yield from self.click(d.taskbar_entry(app))
        elif d.focused() != app:
            spot = self.visible_point(app)
            yield from self.click(spot if spot is not None else d.taskbar_entry(app))
        yield from self.tidy(app)

    def tidy(self, app: str) -> Task:
        """Drag `app` back into full view if it hangs off the screen, as a person would before using it."""
        d = self.desktop
        rect, grip = d.window_rect(app), d.title_bar_point(app)
        if rect is None or grip is None or d.is_minimized(app):
            return
        x, y, w, h = rect
        nx = min(max(x, 0), max(d.width - w, 0))
        ny = min(max(y, 0), max(d.height - TASKBAR_H - h, 0))
        if (nx, ny) != (x, y):
            yield from self.drag(grip, (grip[0] + nx - x, grip[1] + ny - y))

    def uncover(self, point: Point) -> Task:
        """Minimise whatever windows lie over `point` (an icon), as people do."""
        d = self.desktop
        for _ in range(len(APPS)):
            app = d.top_window_at(*point)
            if app is None:
                return
            yield from self.bring_up(app)
            yield from self.click(d.minimize_button(app))

    def visible_point(self, app: str) -> Point | None:
        """A point of `app`'s title bar (else of its frame) that no other window covers."""
        d = self.desktop
        title = d.title_bar_point(app)
        if title is not None and d.top_window_at(*title) == app:
            return title
        x, y, w, h = d.window_rect(app)
        for fy in (0.05, 0.5, 0.95):
            for fx in (0.1, 0.5, 0.9):
                point = (int(x + fx * (w - 1)), int(y + fy * (h - 1)))
                if 0 <= point[0] < d.width and 0 <= point[1] < d.height and d.top_window_at(*point) == app:
                    return point
        return None

    def open_windows(self) -> list[str]:
        return [app for app in APPS if self.desktop.is_open(app) and not self.desktop.is_minimized(app)]

    # -- tasks ----------------------------------------------------------------------
    def calculator_by_clicks(self) -> Task:
        yield from self.bring_up("calculator")
        for label in "C" + self.arithmetic():
            yield from self.click(self.desktop.calculator_button(label))

    def calculator_by_keys(self) -> Task:
        yield from self.bring_up("calculator")
        yield Action(key="Escape")
        for char in self.arithmetic():
            yield Action(key="Enter" if char == "=" and self.rng.random() < 0.5 else char)
            yield from pause(self.rng, 0, 1)

    def arithmetic(self) -> str:
        return arithmetic(self.rng, max_digits=6, max_operations=3)

    def write_note(self) -> Task:
        yield from self.bring_up("notepad")
        for _ in range(self.rng.integers(1, 4)):
            line = " ".join(self.rng.choice(WORDS, size=self.rng.integers(2, 6)))
            yield from typing(line, self.rng)
            if self.rng.random() < 0.4:
                for _ in range(self.rng.integers(1, 6)):
                    yield Action(key="Backspace")
            if self.rng.random() < 0.3:
                for _ in range(self.rng.integers(1, 5)):
                    yield Action(key=str(self.rng.choice(["Left", "Right", "Up", "Down"])))
            yield Action(key="Enter")

    def browse_files(self) -> Task:
        yield from self.bring_up("files")
        for _ in range(self.rng.integers(1, 5)):
            entries = self.desktop.files_entries()
            if not entries:
                return
            name = str(self.rng.choice(entries))
            spot = self.desktop.files_entry(name)
            if spot is None:
                return
            yield from self.double_click(spot)
            yield from pause(self.rng, 2, 8)
            if self.desktop.focused() != "files":  # a text file opened in Notepad
                return

    def terminal_commands(self) -> Task:
        yield from self.bring_up("terminal")
        for _ in range(self.rng.integers(1, 4)):
            command = str(self.rng.choice(TERMINAL_COMMANDS))
            if self.rng.random() < 0.3:
                command = f"calc {self.arithmetic()[:-1]}"
            yield from typing(command, self.rng)
            yield Action(key="Enter")
            yield from pause(self.rng, 2, 10)

    def any_open_window(self) -> str | None:
        """One of the windows on screen, at random; None when all are closed or minimised."""
        windows = self.open_windows()
        return str(self.rng.choice(windows)) if windows else None

    def drag_window(self) -> Task:
        app = self.any_open_window()
        if app is None:
            return
        yield from self.bring_up(app)
        start = self.desktop.title_bar_point(app)
        if start is None:
            return
        d = self.desktop
        end = (int(self.rng.integers(0, d.width)), int(self.rng.integers(0, d.height * 3 // 4)))
        yield from self.drag(start, end)

    def minimise_work_restore(self) -> Task:
        """Object permanence: hide a window, work elsewhere for a long while, bring it back."""
        app = self.any_open_window() or str(self.rng.choice(APPS))
        yield from self.bring_up(app)
        yield from self.click(self.desktop.minimize_button(app))
        others = {
            "files": self.browse_files, "notepad": self.write_note,
            "calculator": self.calculator_by_keys, "terminal": self.terminal_commands,
        }
        del others[app]
        busy = list(others.values()) + [self.explore, self.drag_window]
        for _ in range(self.rng.integers(2, 6)):
            yield from busy[self.rng.integers(len(busy))]()
        if self.desktop.is_open(app) and self.desktop.is_minimized(app):
            yield from self.click(self.desktop.taskbar_entry(app))

    def close_window(self) -> Task:
        app = self.any_open_window()
        if app is None:
            return
        yield from self.bring_up(app)
        yield from self.click(self.desktop.close_button(app))

    def explore(self) -> Task:
        """Random wandering: moves, clicks, stray keys, a double-click now and then."""
        d = self.desktop
        for _ in range(self.rng.integers(2, 6)):
            target = (int(self.rng.integers(0, d.width)), int(self.rng.integers(0, d.height)))
            roll = self.rng.random()
            if roll < 0.4:
                yield from self.move(target)
            elif roll < 0.7:
                yield from self.click(target)
            elif roll < 0.8:
                yield from self.double_click(target)
            else:
                yield Action(key=str(self.rng.choice(["a", "1", " ", "Enter", "Tab", "Escape", "Up"])))

    def idle(self) -> Task:
        yield from pause(self.rng, 3, 15)
