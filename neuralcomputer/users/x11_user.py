"""Scripted people using real X programs: a shell user in xterm, a calculator user in xcalc.

The xterm user types harmless shell commands about the scratch files its
terminal starts in (see `software/x11/programs.py`), presses Enter and stops to
read the output, clears the screen now and then, mistypes sometimes, and
sometimes gives up on a half-typed command with Ctrl+C. The xcalc user computes sums by clicking the buttons
(found from xcalc's window tree) and by typing them. Any other program gets an
explorer that moves, clicks and types at random. All of them move the pointer
along human paths (`pointer.py`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.software.x11 import X11App, button_centers
from neuralcomputer.users.keyboard import arithmetic, pause, typing
from neuralcomputer.users.pointer import pointer_path

Task = Iterator[Action]

SHELL_COMMANDS = (
    "ls", "ls docs", "cat notes.txt", "cat todo.txt", "cat docs/readme.txt", "cat docs/poem.txt",
    "head -3 numbers.txt", "tail -2 numbers.txt", "wc -l numbers.txt", "sh hello.sh", "grep e notes.txt",
    "ls -a", "cd docs", "cd ..", "seq 1 5", "sort -r todo.txt", "sl",
)
WORDS = "hello world neural computer screen pixel shell learn watch".split()


def x11_user(app: X11App, rng: np.random.Generator) -> Hand:
    """The scripted user for the program `app` runs (iterate it for actions)."""
    if app.app == "xterm":
        return ShellUser(app, rng)
    if app.app == "xcalc":
        return CalculatorUser(app, rng)
    return Explorer(app, rng)


class Hand:
    """What every X user does with the mouse."""

    def __init__(self, app: X11App, rng: np.random.Generator):
        self.app = app
        self.rng = rng

    def move(self, target: tuple[int, int]) -> Task:
        for point in pointer_path(self.app.pointer, target, self.rng, self.app.width, self.app.height):
            yield Action(mouse=point)

    def click(self, target: tuple[int, int]) -> Task:
        yield from self.move(target)
        yield Action(button="down")
        yield Action(button="up")

    def somewhere(self) -> tuple[int, int]:
        return int(self.rng.integers(self.app.width)), int(self.rng.integers(self.app.height))


class ShellUser(Hand):
    """Types commands into the shell and reads what they print."""

    def __iter__(self) -> Iterator[Action]:
        while True:
            roll = self.rng.random()
            if roll < 0.7:
                yield from self.command(self.pick_command())
            elif roll < 0.8:
                yield from self.command("clear")
            elif roll < 0.85:
                command = self.pick_command()
                yield from typing(command[: self.rng.integers(1, len(command) + 1)], self.rng)
                yield Action(hold=("Ctrl",), key="c")  # the shell drops the line and prompts again
            elif roll < 0.95:
                yield from self.move(self.somewhere())  # a hand resting on the mouse
            else:
                yield from pause(self.rng, 3, 10)

    def pick_command(self) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            return "echo " + " ".join(self.rng.choice(WORDS, size=self.rng.integers(1, 4)))
        if roll < 0.3:
            a, b = self.rng.integers(0, 100, size=2)
            return f"expr {a} {self.rng.choice(['+', '-', '*'])} {b}".replace("*", "\\*")
        return str(self.rng.choice(SHELL_COMMANDS))

    def command(self, text: str) -> Task:
        yield from typing(text, self.rng)
        yield Action(key="Enter")
        yield from pause(self.rng, 2, 8)  # reading the output


class CalculatorUser(Hand):
    """Computes with xcalc, by clicking its buttons and by typing."""

    def __iter__(self) -> Iterator[Action]:
        while True:
            roll = self.rng.random()
            if roll < 0.55:
                yield from self.by_clicks()
            elif roll < 0.9:
                yield from self.by_keys()
            else:
                yield from self.move(self.somewhere())
                yield from pause(self.rng, 1, 6)

    def arithmetic(self) -> str:
        return arithmetic(self.rng, max_digits=4, max_operations=2)

    def by_clicks(self) -> Task:
        buttons = button_centers(self.app.windows())
        if not buttons:
            return
        for label in ["AC", *self.arithmetic()]:
            yield from self.click(buttons[label])
        yield from pause(self.rng, 1, 5)

    def by_keys(self) -> Task:
        for char in self.arithmetic():
            yield Action(key="Enter" if char == "=" and self.rng.random() < 0.3 else char)
        yield from pause(self.rng, 1, 5)


class Explorer(Hand):
    """For programs without a script: moves, clicks, drags and stray keys, at random."""

    def __iter__(self) -> Iterator[Action]:
        while True:
            roll = self.rng.random()
            if roll < 0.35:
                yield from self.move(self.somewhere())
            elif roll < 0.65:
                yield from self.click(self.somewhere())
            elif roll < 0.75:
                yield from self.move(self.somewhere())
                yield Action(button="down")
                yield from self.move(self.somewhere())
                yield Action(button="up")
            elif roll < 0.9:
                yield from typing(str(self.rng.choice(WORDS)), self.rng)
            else:
                yield Action(key=str(self.rng.choice(["Enter", "Tab", "Escape", "Up", "Down", "Left", "Right"])))
