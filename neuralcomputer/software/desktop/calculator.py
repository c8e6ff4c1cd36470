"""Calculator: a pocket calculator with exact integer arithmetic and immediate execution.

"12345*67890=" evaluates left to right as typed (no precedence), like a pocket
calculator. The pending operand and operator are shown small above the entry;
a number too long for the display shows OVERFLOW while `state()` keeps it exact.
"""

from __future__ import annotations

import numpy as np

from neuralcomputer.software.desktop.app import App
from neuralcomputer.software.desktop.arithmetic import OPERATORS, apply
from neuralcomputer.software.desktop.draw import bevel, fill, outline
from neuralcomputer.software.desktop.font import CELL_H, CELL_W, GLYPH_W
from neuralcomputer.software.desktop.palette import BLACK, FACE, LCD, NAVY, RED, SHADOW

BUTTONS = ("789/", "456*", "123-", "C0=+")
BUTTON_W, BUTTON_H = 13, 10
DISPLAY_H = 2 * CELL_H + 5  # border, margin, pending line, entry line, margin, border
GRID_Y = DISPLAY_H + 2
WIDTH = 1 + len(BUTTONS[0]) * (BUTTON_W + 1)
HEIGHT = GRID_Y + len(BUTTONS) * (BUTTON_H + 1)
COLS = (WIDTH - 6) // CELL_W  # characters across the display
KEY_ALIASES = {"Enter": "=", "Escape": "C", "c": "C"}


def _fit(number: int, cols: int) -> str:
    text = str(number)
    return text if len(text) <= cols else "OVERFLOW"


class Calculator(App):
    name = "calculator"
    label = "Calc"
    fixed_size = (WIDTH, HEIGHT)

    def __init__(self, width: int, height: int):
        super().__init__(width, height)
        self._clear()

    def _clear(self) -> None:
        self.value = 0  # the number on the display (exact)
        self.operand: int | None = None  # the pending left operand
        self.operator: str | None = None  # the pending operator
        self.typing = False  # digits extend `value` (else the next digit starts a new number)
        self.error: str | None = None

    def press(self, label: str) -> None:
        """Press one calculator button: a digit, an operator, "=" or "C"."""
        self.dirty = True
        if label == "C" or (self.error and label.isdigit()):
            self._clear()
        if self.error:
            return
        if label.isdigit():
            if not self.typing:
                self.value, self.typing = 0, True
            if len(str(self.value)) < COLS:
                self.value = self.value * 10 + int(label)
        elif label in OPERATORS or label == "=":
            if self.operator is not None and (self.typing or label == "="):
                try:
                    self.value = apply(self.operand, self.operator, self.value)
                except (ZeroDivisionError, OverflowError) as e:
                    self._clear()
                    self.error = "DIV BY 0" if isinstance(e, ZeroDivisionError) else "TOO BIG"
                    return
            self.operand, self.operator = (None, None) if label == "=" else (self.value, label)
            self.typing = False

    def key(self, key: str) -> None:
        key = KEY_ALIASES.get(key, key)
        if key == "Backspace":
            if self.typing and not self.error:
                self.value //= 10
                self.dirty = True
        elif len(key) == 1 and key in "0123456789+-*/=C":
            self.press(key)

    def button_center(self, label: str) -> tuple[int, int] | None:
        """Client coordinates of a button's centre."""
        for r, row in enumerate(BUTTONS):
            if label in row:
                c = row.index(label)
                return 1 + c * (BUTTON_W + 1) + BUTTON_W // 2, GRID_Y + r * (BUTTON_H + 1) + BUTTON_H // 2
        return None

    def click(self, x: int, y: int, double: bool) -> None:
        c, r = (x - 1) // (BUTTON_W + 1), (y - GRID_Y) // (BUTTON_H + 1)
        inside = (x - 1) % (BUTTON_W + 1) < BUTTON_W and (y - GRID_Y) % (BUTTON_H + 1) < BUTTON_H
        if y >= GRID_Y and x >= 1 and r < len(BUTTONS) and c < len(BUTTONS[0]) and inside:
            self.press(BUTTONS[r][c])

    @property
    def display(self) -> str:
        """The entry line as shown."""
        return self.error or _fit(self.value, COLS)

    @property
    def pending(self) -> str:
        """The small line above the entry: the pending operand and operator."""
        return "" if self.operator is None else f"{_fit(self.operand, COLS - 2)} {self.operator}"

    def draw(self, canvas: np.ndarray) -> None:
        canvas[:] = FACE
        fill(canvas, 1, 1, WIDTH - 2, DISPLAY_H, LCD)
        outline(canvas, 1, 1, WIDTH - 2, DISPLAY_H, SHADOW)
        right = WIDTH - 3  # one pixel past the last glyph column of right-aligned text
        self.text(canvas, right - len(self.pending) * CELL_W + 1, 3, self.pending, SHADOW)
        display_color = RED if self.error else BLACK
        self.text(canvas, right - len(self.display) * CELL_W + 1, 3 + CELL_H + 1, self.display, display_color)
        for r, row in enumerate(BUTTONS):
            for c, label in enumerate(row):
                x, y = 1 + c * (BUTTON_W + 1), GRID_Y + r * (BUTTON_H + 1)
                bevel(canvas, x, y, BUTTON_W, BUTTON_H)
                color = RED if label == "C" else NAVY if label in OPERATORS + "=" else BLACK
                self.text(canvas, x + (BUTTON_W - GLYPH_W) // 2, y + (BUTTON_H - CELL_H) // 2 + 1, label, color)

    def state(self) -> dict:
        return {
            "value": self.value,
            "display": self.display,
            "pending": self.pending,
            "operand": self.operand,
            "operator": self.operator,
            "typing": self.typing,
            "error": self.error,
        }
