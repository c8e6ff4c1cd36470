"""Files: browse the fixed folder tree; double-click a folder to enter it or a text file to open it in Notepad."""

from __future__ import annotations

import numpy as np

from neuralcomputer.software.desktop import folders
from neuralcomputer.software.desktop.app import App
from neuralcomputer.software.desktop.draw import fill
from neuralcomputer.software.desktop.font import CELL_H, CELL_W
from neuralcomputer.software.desktop.palette import BLACK, FACE, NAVY, SHADOW, WHITE

PAD = 2
ROW_H = CELL_H + 2  # one text line plus a pixel above and below, so a selection bar frames it
LIST_Y = ROW_H + 1  # the path bar, then a 1-pixel rule, then the entries


class Files(App):
    name = "files"
    label = "Files"

    def __init__(self, width: int, height: int):
        super().__init__(width, height)
        self.cols = (width - 2 * PAD) // CELL_W
        self.visible_rows = (height - LIST_Y) // ROW_H
        self.cwd = folders.HOME
        self.selected: str | None = None

    @property
    def entries(self) -> list[str]:
        """Everything listed in the current folder, ".." first unless at the root."""
        return ([".."] if self.cwd != "/" else []) + folders.listing(self.cwd)

    @property
    def shown(self) -> list[str]:
        """The entries that fit in the window."""
        return self.entries[: self.visible_rows]

    def entry_center(self, name: str) -> tuple[int, int] | None:
        """Client coordinates of the middle of a shown entry's row."""
        if name not in self.shown:
            return None
        return self.width // 2, LIST_Y + self.shown.index(name) * ROW_H + ROW_H // 2

    def click(self, x: int, y: int, double: bool) -> str | None:
        row = (y - LIST_Y) // ROW_H if y >= LIST_Y else -1
        if not 0 <= row < len(self.shown):
            return None
        name = self.shown[row]
        self.selected = name
        self.dirty = True
        if not double:
            return None
        path = folders.resolve(self.cwd, name)
        if name.endswith("/") or name == "..":
            self.cwd, self.selected = path, None
            return None
        return path

    def draw(self, canvas: np.ndarray) -> None:
        canvas[:] = WHITE
        fill(canvas, 0, 0, self.width, ROW_H, FACE)
        fill(canvas, 0, ROW_H, self.width, 1, SHADOW)
        path = self.cwd if len(self.cwd) <= self.cols else ".." + self.cwd[-(self.cols - 2) :]
        self.text(canvas, PAD, 1, path, BLACK)
        for i, name in enumerate(self.shown):
            y = LIST_Y + i * ROW_H
            color = BLACK
            if name == self.selected:
                fill(canvas, 0, y, self.width, ROW_H, NAVY)
                color = WHITE
            self.text(canvas, PAD, y + 1, name[: self.cols], color)

    def state(self) -> dict:
        return {"cwd": self.cwd, "entries": self.entries, "selected": self.selected}
