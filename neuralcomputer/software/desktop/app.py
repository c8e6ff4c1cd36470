"""What the four apps share: a client area drawn only when dirty, and a record of its text.

An app knows nothing of windows or screen positions: it gets keys and clicks in
its own client coordinates and draws into its own (height, width) buffer. The
window manager decides when that buffer is shown and where.
"""

from __future__ import annotations

import numpy as np

from neuralcomputer.software.desktop.font import draw_text


def wrap(line: str, cols: int, caret: bool = False) -> list[str]:
    """Word-wrap a line into rows of at most `cols` characters (a word longer than a row is cut).

    Rows keep their trailing space, so joining them gives the line back. With
    `caret`, a full last row gets an empty row after it for the caret to sit on.
    """
    rows = []
    while len(line) > cols:
        cut = line.rfind(" ", 0, cols) + 1 or cols  # just after the last space that fits
        rows.append(line[:cut])
        line = line[cut:]
    return rows + [line] + ([""] if caret and len(line) == cols else [])


class App:
    """Base of Files, Notepad, Calculator and Terminal."""

    name = ""
    label = ""  # under the desktop icon and on the taskbar: at most 5 characters
    fixed_size: tuple[int, int] | None = None  # client (width, height) if the app has one layout only

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height  # of the client area, in pixels
        self.dirty = True  # set by every change; cleared by `render`
        self.lines: list[tuple[int, int, str, int]] = []  # (x, y, text, color) drawn by the last render

    @property
    def title(self) -> str:
        """The window's title-bar text."""
        return self.label

    def key(self, key: str) -> None:
        """One key press (a printable character or a named key from `neuralcomputer.actions`)."""

    def click(self, x: int, y: int, double: bool) -> str | None:
        """Button down at client pixel (x, y); returns the path of a text file to open in Notepad, if any."""
        return None

    def draw(self, canvas: np.ndarray) -> None:
        """Draw the whole client area into `canvas`, (height, width) palette indices, via `text` for text."""
        raise NotImplementedError

    def state(self) -> dict:
        """The app's true state as JSON-able data."""
        raise NotImplementedError

    def render(self, canvas: np.ndarray) -> None:
        """Redraw into `canvas` and remember the text drawn."""
        self.lines = []
        self.draw(canvas)
        self.dirty = False

    def text(self, canvas: np.ndarray, x: int, y: int, text: str, color: int) -> None:
        """Draw one line of text and record it for `Desktop.text_regions`."""
        if text:
            draw_text(canvas, x, y, text, color)
            self.lines.append((x, y, text, color))
