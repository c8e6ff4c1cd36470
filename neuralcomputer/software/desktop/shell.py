"""The screen around the windows: desktop icons on teal, and the taskbar at the bottom.

Icons fill columns top to bottom from the top-left corner; the taskbar has one
entry per open window, in the order they were opened, the focused one pressed.
"""

from __future__ import annotations

import numpy as np

from neuralcomputer.software.desktop.draw import bevel, fill, stamp
from neuralcomputer.software.desktop.font import CELL_H, CELL_W, draw_text
from neuralcomputer.software.desktop.icons import ICON_H, ICON_W, ICONS
from neuralcomputer.software.desktop.palette import BLACK, FACE, LIGHT, NAVY, TEAL, WHITE

SLOT_W, SLOT_H = 28, 24  # one icon with its label (5 characters), and the gap to the next
ICON_BOX_H = ICON_H + 1 + CELL_H + 1  # the clickable part of a slot: icon, gap, label
MARGIN = 2
TASKBAR_H = CELL_H + 5  # a highlight line, a gap, entries of one text line in a bevel, a gap
ENTRY_H = CELL_H + 2
ENTRY_MAX_W = 40


def icon_slots(names: tuple[str, ...], height: int) -> dict[str, tuple[int, int]]:
    """Top-left corner of each app's icon slot."""
    per_column = max((height - TASKBAR_H - MARGIN) // SLOT_H, 1)
    return {
        name: (MARGIN + (i // per_column) * SLOT_W, MARGIN + (i % per_column) * SLOT_H) for i, name in enumerate(names)
    }


def draw_desktop(
    canvas: np.ndarray, slots: dict[str, tuple[int, int]], labels: dict[str, str], selected: str | None
) -> None:
    """The teal background with every icon; the selected icon's label is highlighted."""
    canvas[:] = TEAL
    for name, (x, y) in slots.items():
        stamp(canvas, x + (SLOT_W - ICON_W) // 2, y, ICONS[name])
        label = labels[name]
        lx, ly = x + (SLOT_W - len(label) * CELL_W + 1) // 2, y + ICON_H + 1
        if name == selected:
            fill(canvas, lx - 1, ly - 1, len(label) * CELL_W + 1, CELL_H + 1, NAVY)
        draw_text(canvas, lx, ly, label, WHITE)


def taskbar_entries(names: list[str], width: int) -> dict[str, tuple[int, int, int, int]]:
    """Rect (x, y, w, h) of each open window's taskbar entry, y from the top of the taskbar."""
    entry_w = min(ENTRY_MAX_W, (width - MARGIN) // 4 - MARGIN)
    return {name: (MARGIN + i * (entry_w + MARGIN), 2, entry_w, ENTRY_H) for i, name in enumerate(names)}


def draw_taskbar(
    strip: np.ndarray, entries: dict[str, tuple[int, int, int, int]], labels: dict[str, str], focused: str | None
) -> None:
    """The taskbar into a (TASKBAR_H, width) strip, to go along the bottom edge over the windows."""
    strip[:] = FACE
    strip[0] = WHITE
    for name, (x, y, w, h) in entries.items():
        pressed = name == focused
        fill(strip, x, y, w, h, LIGHT if pressed else FACE)
        bevel(strip, x, y, w, h, raised=not pressed)
        draw_text(strip, x + 3, y + 1, labels[name][: (w - 4) // CELL_W], BLACK)
