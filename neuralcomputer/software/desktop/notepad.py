"""Notepad: a plain-text editor with a visible caret and word wrap at the window width."""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from neuralcomputer.software.desktop.app import App, wrap
from neuralcomputer.software.desktop.draw import fill
from neuralcomputer.software.desktop.font import CELL_H, CELL_W
from neuralcomputer.software.desktop.palette import BLACK, WHITE

PAD = 2  # pixels between the client edge and the text; >= 1 leaves room for the caret at column 0


class Notepad(App):
    name = "notepad"
    label = "Notes"

    def __init__(self, width: int, height: int):
        super().__init__(width, height)
        self.cols = (width - 2 * PAD) // CELL_W
        self.rows = (height - 2 * PAD) // CELL_H
        self.file: str | None = None  # name of the file opened from Files, if any
        self.buffer = ""
        self.caret = 0  # index into buffer: the caret sits before buffer[caret]
        self.top = 0  # first display row shown

    @property
    def title(self) -> str:
        return self.file or "Notepad"

    def open(self, name: str, text: str) -> None:
        """Replace the buffer with a file's text."""
        self.file, self.buffer, self.caret, self.top = name, text, 0, 0
        self.dirty = True

    def _layout(self) -> tuple[list[int], list[int]]:
        """Display rows after wrapping: (index in buffer where each row starts, its length)."""
        starts, lengths, start = [], [], 0
        for line in self.buffer.split("\n"):
            for row in wrap(line, self.cols, caret=True):
                starts.append(start)
                lengths.append(len(row))
                start += len(row)
            start += 1  # the newline
        return starts, lengths

    def _caret_row(self, starts: list[int]) -> int:
        return bisect_right(starts, self.caret) - 1

    def key(self, key: str) -> None:
        if len(key) == 1 or key == "Enter":
            char = "\n" if key == "Enter" else key
            self.buffer = self.buffer[: self.caret] + char + self.buffer[self.caret :]
            self.caret += 1
        elif key == "Backspace" and self.caret > 0:
            self.buffer = self.buffer[: self.caret - 1] + self.buffer[self.caret :]
            self.caret -= 1
        elif key == "Left":
            self.caret = max(self.caret - 1, 0)
        elif key == "Right":
            self.caret = min(self.caret + 1, len(self.buffer))
        elif key in ("Up", "Down"):
            starts, lengths = self._layout()
            row = self._caret_row(starts)
            target = row - 1 if key == "Up" else row + 1
            if 0 <= target < len(starts):
                # A row that continues on the next one ends where that one starts: stop before its end.
                continues = target + 1 < len(starts) and starts[target + 1] == starts[target] + lengths[target]
                last = lengths[target] - 1 if continues else lengths[target]
                self.caret = starts[target] + min(self.caret - starts[row], last)
        else:
            return
        row = self._caret_row(self._layout()[0])
        self.top = min(max(self.top, row - self.rows + 1), row)  # scroll just enough to show the caret
        self.dirty = True

    def draw(self, canvas: np.ndarray) -> None:
        canvas[:] = WHITE
        starts, lengths = self._layout()
        row = self._caret_row(starts)
        for i in range(min(self.rows, len(starts) - self.top)):
            start = starts[self.top + i]
            self.text(canvas, PAD, PAD + i * CELL_H, self.buffer[start : start + lengths[self.top + i]], BLACK)
        # The caret is a bar in the spacing column just left of its cell, so it never hides a glyph.
        fill(canvas, PAD - 1 + (self.caret - starts[row]) * CELL_W, PAD + (row - self.top) * CELL_H, 1, CELL_H, BLACK)

    def state(self) -> dict:
        return {"file": self.file, "text": self.buffer, "caret": self.caret, "top_row": self.top}
