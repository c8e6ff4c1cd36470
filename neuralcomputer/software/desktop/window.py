"""A window: an app in a frame with a title bar, at a screen position, with a cached picture.

The picture (frame, title bar and client area) is redrawn only when the app is
dirty or the window gains or loses focus; moving, raising, minimising and
restoring reuse it, which is what makes a restored window pixel-identical.
"""

from __future__ import annotations

import numpy as np

from neuralcomputer.software.desktop.app import App
from neuralcomputer.software.desktop.draw import bevel, fill, outline, stamp
from neuralcomputer.software.desktop.font import CELL_H, CELL_W, draw_text
from neuralcomputer.software.desktop.icons import CLOSE_GLYPH, MINIMIZE_GLYPH
from neuralcomputer.software.desktop.palette import FACE, NAVY, SHADOW, WHITE

TITLE_H = CELL_H + 2  # title bar height, inside the 1-pixel border
BUTTON = TITLE_H - 2  # title-bar buttons are squares this wide
CLOSE_X = BUTTON + 2  # from the window's right edge to the close button's left edge
MINIMIZE_X = 2 * BUTTON + 3  # ... and to the minimise button's
CHROME_W, CHROME_H = 2, TITLE_H + 2  # window size minus client size


class Window:
    """One app's window; the desktop owns its position, stacking and focus."""

    def __init__(self, app: App, x: int, y: int):
        self.app = app
        self.x, self.y = x, y
        self.w, self.h = app.width + CHROME_W, app.height + CHROME_H
        self.minimized = False
        self.image = np.zeros((self.h, self.w), dtype=np.uint8)  # the whole window, palette indices
        self._drawn_frame: tuple[bool, str] | None = None  # (focused, title) the frame was drawn with

    @property
    def rect(self) -> tuple[int, int, int, int]:
        """The whole window: x, y, w, h on screen."""
        return self.x, self.y, self.w, self.h

    @property
    def client_rect(self) -> tuple[int, int, int, int]:
        """The app's area: x, y, w, h on screen."""
        return self.x + 1, self.y + 1 + TITLE_H, self.app.width, self.app.height

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.w and self.y <= y < self.y + self.h

    def part_at(self, x: int, y: int) -> str:
        """What a screen point inside the window is on: "close", "minimize", "title", "client" or "frame"."""
        wx, wy = x - self.x, y - self.y
        if 2 <= wy < 2 + BUTTON:
            if self.w - CLOSE_X <= wx < self.w - CLOSE_X + BUTTON:
                return "close"
            if self.w - MINIMIZE_X <= wx < self.w - MINIMIZE_X + BUTTON:
                return "minimize"
        if 1 <= wy <= TITLE_H and 1 <= wx < self.w - 1:
            return "title"
        cx, cy, cw, ch = self.client_rect
        return "client" if cx <= x < cx + cw and cy <= y < cy + ch else "frame"

    def button_center(self, part: str) -> tuple[int, int]:
        """Screen coordinates of the middle of the "close" or "minimize" button."""
        offset = CLOSE_X if part == "close" else MINIMIZE_X
        return self.x + self.w - offset + BUTTON // 2, self.y + 2 + BUTTON // 2

    def title_span(self) -> tuple[int, int]:
        """The title bar's x range left of its buttons, [start, end), screen coordinates."""
        return self.x + 1, self.x + self.w - MINIMIZE_X - 1

    def render(self, focused: bool) -> bool:
        """Redraw what changed since last time: the frame if the focus or title did, the client if the app did."""
        redraw_frame, redraw_client = (focused, self.app.title) != self._drawn_frame, self.app.dirty
        if redraw_frame:
            self._draw_frame(focused)
        if redraw_client:
            cx, cy = 1, 1 + TITLE_H
            self.app.render(self.image[cy : cy + self.app.height, cx : cx + self.app.width])
        return redraw_frame or redraw_client

    def _draw_frame(self, focused: bool) -> None:
        image, w = self.image, self.w
        outline(image, 0, 0, w, self.h)
        fill(image, 1, 1, w - 2, TITLE_H, NAVY if focused else SHADOW)
        chars = max((w - MINIMIZE_X - 4) // CELL_W, 0)
        draw_text(image, 3, 2, self.app.title[:chars], WHITE if focused else FACE)
        for offset, glyph in ((CLOSE_X, CLOSE_GLYPH), (MINIMIZE_X, MINIMIZE_GLYPH)):
            fill(image, w - offset, 2, BUTTON, BUTTON, FACE)
            bevel(image, w - offset, 2, BUTTON, BUTTON)
            stamp(image, w - offset + 2, 4, glyph)
        self._drawn_frame = (focused, self.app.title)
