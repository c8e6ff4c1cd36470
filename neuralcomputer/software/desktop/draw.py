"""Clipped drawing primitives on (H, W) uint8 canvases of palette indices.

Everything the desktop draws goes through these, so nothing writes outside a
canvas however far a window is dragged off screen, and nothing loops per pixel.
"""

from __future__ import annotations

import numpy as np

from neuralcomputer.software.desktop.palette import BLACK, SHADOW, WHITE

TRANSPARENT = -1  # in bitmaps made by `bitmap`


def _clip(canvas: np.ndarray, x: int, y: int, w: int, h: int):
    """Where the box (x, y, w, h) meets the canvas: (canvas slices, box slices), or None if nowhere."""
    height, width = canvas.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    if x0 >= x1 or y0 >= y1:
        return None
    return (slice(y0, y1), slice(x0, x1)), (slice(y0 - y, y1 - y), slice(x0 - x, x1 - x))


def fill(canvas: np.ndarray, x: int, y: int, w: int, h: int, color: int) -> None:
    """Fill a rectangle."""
    box = _clip(canvas, x, y, w, h)
    if box:
        canvas[box[0]] = color


def bevel(canvas: np.ndarray, x: int, y: int, w: int, h: int, raised: bool = True) -> None:
    """A 1-pixel 3D edge around a rectangle: lit from the top left when raised, from the bottom right when sunken."""
    light, dark = (WHITE, SHADOW) if raised else (SHADOW, WHITE)
    fill(canvas, x, y, w, 1, light)
    fill(canvas, x, y, 1, h, light)
    fill(canvas, x, y + h - 1, w, 1, dark)
    fill(canvas, x + w - 1, y, 1, h, dark)


def outline(canvas: np.ndarray, x: int, y: int, w: int, h: int, color: int = BLACK) -> None:
    """A 1-pixel rectangle outline."""
    fill(canvas, x, y, w, 1, color)
    fill(canvas, x, y + h - 1, w, 1, color)
    fill(canvas, x, y, 1, h, color)
    fill(canvas, x + w - 1, y, 1, h, color)


def paint(canvas: np.ndarray, x: int, y: int, mask: np.ndarray, color: int) -> None:
    """Set the pixels where a (h, w) bool mask is true, with its top-left at (x, y)."""
    box = _clip(canvas, x, y, mask.shape[1], mask.shape[0])
    if box:
        canvas[box[0]][mask[box[1]]] = color


def paste(canvas: np.ndarray, x: int, y: int, image: np.ndarray) -> None:
    """Copy an opaque (h, w) image with its top-left at (x, y)."""
    box = _clip(canvas, x, y, image.shape[1], image.shape[0])
    if box:
        canvas[box[0]] = image[box[1]]


def stamp(canvas: np.ndarray, x: int, y: int, image: np.ndarray) -> None:
    """Copy a (h, w) bitmap from `bitmap`, skipping its TRANSPARENT pixels."""
    box = _clip(canvas, x, y, image.shape[1], image.shape[0])
    if box:
        part = image[box[1]]
        region = canvas[box[0]]
        opaque = part != TRANSPARENT
        region[opaque] = part[opaque]


def bitmap(art: str, colors: dict[str, int]) -> np.ndarray:
    """String art (one line per row, "." transparent, other letters keys of `colors`) -> (h, w) int16 bitmap."""
    rows = art.strip("\n").split("\n")
    return np.array([[TRANSPARENT if c == "." else colors[c] for c in row] for row in rows], dtype=np.int16)
