"""Screens of real X programs as palette indices.

A recording holds one fixed palette, decided before the first frame, but a real
program may draw any 24-bit colour. So each known program has the palette of
colours it was seen to draw (found once by a calibration run: drive it with its
scripted user and read `X11App.colours_seen()`; xterm and xcalc with their
default resources draw only black and white). Captured colours in the palette
map exactly; any other maps to its nearest palette colour (Euclidean RGB), and
is counted, so a lossy recording can be noticed (`state()["unmatched_colours"]`).
Programs without a calibrated palette get `GENERIC`: a 6x6x6 colour cube plus a
grey ramp, exact only for colours on it. The last entry of every palette is the
pointer's fill, which no captured pixel is ever mapped to.
"""

from __future__ import annotations

import numpy as np

BLACK, WHITE = (0, 0, 0), (255, 255, 255)
POINTER_FILL = (254, 254, 254)  # near-white, so it looks like X's pointer, but an index of its own
APP_COLOURS = {
    "xterm": (BLACK, WHITE),
    "xcalc": (BLACK, WHITE),
}
_CUBE = [(r, g, b) for r in range(0, 256, 51) for g in range(0, 256, 51) for b in range(0, 256, 51)]
_GREYS = [(v, v, v) for v in (round(i * 255 / 40) for i in range(1, 40)) if v % 51 and v != POINTER_FILL[0]]
GENERIC = tuple(_CUBE + _GREYS)  # 216 + 35 = 251 colours; with the pointer's fill 252


def palette_for(app: str) -> np.ndarray:
    """The (K, 3) uint8 palette for program `app`: its calibrated colours (else `GENERIC`), then the pointer's fill."""
    colours = APP_COLOURS.get(app, GENERIC)
    palette = np.array([*colours, POINTER_FILL], dtype=np.uint8)
    palette.setflags(write=False)
    return palette


def _pack(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) RGB -> (...) uint32 0xRRGGBB."""
    rgb = rgb.astype(np.uint32)
    return rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2]


class Quantiser:
    """Maps captured 32-bit BGRX screens to indices of `palette[:-1]`: exact where it can, else nearest."""

    def __init__(self, palette: np.ndarray):
        self._targets = palette[:-1].astype(np.int32)  # the pointer's fill is never a match
        packed = _pack(palette[:-1])
        order = np.argsort(packed, kind="stable")
        self._exact = set(packed.tolist())
        self._keys, self._values = packed[order], order.astype(np.uint8)  # colour met -> index, sorted by colour
        self._seen: set[int] = set()

    def __call__(self, bgrx: bytes, height: int, width: int) -> np.ndarray:
        """(H, W) uint8 palette indices of a raw capture."""
        colours = np.frombuffer(bgrx, dtype="<u4")[: height * width] & 0xFFFFFF  # little-endian BGRX = 0x..RRGGBB
        where = np.minimum(np.searchsorted(self._keys, colours), len(self._keys) - 1)
        missing = self._keys[where] != colours
        if missing.any():
            self._learn(np.unique(colours[missing]))
            where = np.searchsorted(self._keys, colours)
        self._seen.update(self._keys[np.flatnonzero(np.bincount(where, minlength=len(self._keys)))].tolist())
        return self._values[where].reshape(height, width)

    def colours_seen(self) -> list[tuple[int, int, int]]:
        """Every distinct colour captured so far, as RGB, sorted: a calibration run's palette."""
        return [(c >> 16, c >> 8 & 255, c & 255) for c in sorted(self._seen)]

    @property
    def unmatched(self) -> int:
        """How many distinct captured colours were not in the palette (0: every screen so far is exact)."""
        return len(self._keys) - len(self._exact)

    def _learn(self, colours: np.ndarray) -> None:
        rgb = np.stack([colours >> 16, colours >> 8 & 255, colours & 255], axis=1).astype(np.int32)
        nearest = ((rgb[:, None, :] - self._targets[None]) ** 2).sum(-1).argmin(1).astype(np.uint8)
        keys, values = np.concatenate([self._keys, colours]), np.concatenate([self._values, nearest])
        order = np.argsort(keys, kind="stable")
        self._keys, self._values = keys[order], values[order]
