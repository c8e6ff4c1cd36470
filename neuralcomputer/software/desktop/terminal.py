"""Terminal: a tiny shell over the fixed folder tree (help, echo, ls, cd, cat, calc, clear).

Output and the prompt line wrap at the window width; the newest rows are shown,
so the screen scrolls once it is full. `calc` uses the same exact integer
arithmetic as the Calculator, but with precedence and parentheses.
"""

from __future__ import annotations

import numpy as np

from neuralcomputer.software.desktop import folders
from neuralcomputer.software.desktop.app import App, wrap
from neuralcomputer.software.desktop.arithmetic import ExpressionError, evaluate
from neuralcomputer.software.desktop.draw import fill
from neuralcomputer.software.desktop.font import CELL_H, CELL_W
from neuralcomputer.software.desktop.palette import BLACK, GREEN, RED

PAD = 1
MAX_LINES = 100  # scrollback kept; older lines are forgotten
MAX_INPUT = 120  # characters on the command line
HELP = "commands: help echo ls cd cat calc clear"


class Terminal(App):
    name = "terminal"
    label = "Term"

    def __init__(self, width: int, height: int):
        super().__init__(width, height)
        self.cols = (width - 2 * PAD) // CELL_W
        self.rows = (height - 2 * PAD) // CELL_H
        self.cwd = folders.HOME
        self.scrollback: list[tuple[str, int]] = [("Type help", GREEN)]  # scrollback: (text, color)
        self.input = ""

    @property
    def title(self) -> str:
        return "Terminal"

    @property
    def prompt(self) -> str:
        return f"{self.cwd}$ "

    def key(self, key: str) -> None:
        if len(key) == 1:
            if len(self.input) < MAX_INPUT:
                self.input += key
        elif key == "Backspace":
            self.input = self.input[:-1]
        elif key == "Escape":
            self.input = ""
        elif key == "Enter":
            self.scrollback.append((self.prompt + self.input, GREEN))
            command, self.input = self.input, ""
            self.run(command)
            self.scrollback = self.scrollback[-MAX_LINES:]
        else:
            return
        self.dirty = True

    def run(self, command: str) -> None:
        """Run one command line, appending its output."""
        name, _, arg = command.strip().partition(" ")
        arg = arg.strip()
        if name == "":
            return
        if name == "clear":
            self.scrollback = []
        elif name == "help":
            self.scrollback.append((HELP, GREEN))
        elif name == "echo":
            self.scrollback.append((arg, GREEN))
        elif name in ("ls", "cd", "cat"):
            self._browse(name, arg)
        elif name == "calc":
            try:
                self.scrollback.append((str(evaluate(arg)), GREEN))
            except ExpressionError:
                self.scrollback.append(("calc: syntax error", RED))
            except ZeroDivisionError:
                self.scrollback.append(("calc: division by zero", RED))
            except OverflowError:
                self.scrollback.append(("calc: number too big", RED))
        else:
            self.scrollback.append((f"{name}: command not found", RED))

    def _browse(self, name: str, arg: str) -> None:
        """ls [FOLDER], cd [FOLDER] (home by default), cat FILE."""
        if name == "cat" and not arg:
            self.scrollback.append(("usage: cat FILE", RED))
            return
        path = folders.resolve(self.cwd, arg or (folders.HOME if name == "cd" else "."))
        node = folders.lookup(path)
        if name == "cat":
            if isinstance(node, str):
                self.scrollback += [(line, GREEN) for line in node.split("\n")]
            else:
                self.scrollback.append((f"cat: {arg}: " + ("is a folder" if node else "no such file"), RED))
        elif not isinstance(node, dict):
            self.scrollback.append((f"{name}: {arg}: no such folder", RED))
        elif name == "ls":
            self.scrollback.append(("  ".join(folders.listing(path)), GREEN))
        else:
            self.cwd = path

    def draw(self, canvas: np.ndarray) -> None:
        canvas[:] = BLACK
        rows = [(row, color) for line, color in self.scrollback for row in wrap(line, self.cols)]
        rows += [(row, GREEN) for row in wrap(self.prompt + self.input, self.cols, caret=True)]
        rows = rows[-self.rows :]
        for i, (row, color) in enumerate(rows):
            self.text(canvas, PAD, PAD + i * CELL_H, row, color)
        # A solid block cursor just after the command line's last character.
        last = len(rows) - 1
        fill(canvas, PAD + len(rows[last][0]) * CELL_W, PAD + last * CELL_H, CELL_W - 1, CELL_H - 1, GREEN)

    def state(self) -> dict:
        return {"cwd": self.cwd, "lines": [line for line, _ in self.scrollback], "input": self.input}
