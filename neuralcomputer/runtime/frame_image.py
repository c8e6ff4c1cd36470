"""Frames as pictures for people (RGB, PNG), and screenshots back into screens to boot from.

With truth off a frame is the neural screen alone; with truth on it is three panels in a
row, `PANEL_GAP` pixels apart: neural | real | difference (the real screen dimmed, pixels
the neural computer got wrong in red), the same comparison `ncomp` videos use.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, UnidentifiedImageError

from neuralcomputer.errors import UserError
from neuralcomputer.recordings.video import difference, side_by_side
from neuralcomputer.runtime.session import Frame
from neuralcomputer.software.base import to_rgb

PANEL_GAP = 2  # pixels between the panels of a truth frame
PNG_LEVEL = 1  # zlib level: screens of flat colour compress well even at the fastest level


def frame_rgb(frame: Frame, palette: np.ndarray) -> np.ndarray:
    """The frame as an (H, W', 3) uint8 picture: W' = W, or 3 W + 2 PANEL_GAP with truth on."""
    if frame.real is None:
        return to_rgb(frame.screen, palette)
    neural, real = frame.screen[None], frame.real[None]
    return side_by_side([neural, real, difference(real, neural, palette)], palette, gap=PANEL_GAP)[0]


def frame_png(frame: Frame, palette: np.ndarray) -> bytes:
    """The frame as PNG bytes; the neural screen alone is a palette PNG (a few hundred bytes)."""
    if frame.real is None:
        height, width = frame.screen.shape
        image = Image.frombytes("P", (width, height), np.ascontiguousarray(frame.screen).tobytes())
        image.putpalette(palette.reshape(-1).tolist())
    else:
        image = Image.fromarray(np.ascontiguousarray(frame_rgb(frame, palette)))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=PNG_LEVEL)
    return out.getvalue()


def screen_from_png(data: bytes, palette: np.ndarray, width: int, height: int) -> np.ndarray:
    """A screenshot (PNG of exactly `width`x`height`, palette colours only) as (H, W) uint8 palette indices."""
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError):
        raise UserError("screenshot: not a PNG image") from None
    if image.format != "PNG":
        raise UserError(f"screenshot: a {image.format} image; send a PNG")
    if image.size != (width, height):  # checked before decoding, so a huge image costs nothing
        raise UserError(f"screenshot: {image.size[0]}x{image.size[1]} pixels; this model's screen is {width}x{height}")
    try:
        rgb = np.asarray(image.convert("RGB"))
    except (OSError, ValueError) as e:
        raise UserError(f"screenshot: a damaged PNG ({e})") from None
    packed_HW = _pack(rgb)
    keys = _pack(palette)
    order = np.argsort(keys)
    found = np.searchsorted(keys[order], packed_HW).clip(max=len(keys) - 1)
    off = keys[order][found] != packed_HW
    if off.any():
        y, x = np.argwhere(off)[0]
        r, g, b = rgb[y, x]
        raise UserError(
            f"screenshot: {int(off.sum())} pixels are not in the model's {len(palette)}-colour palette, "
            f"the first at ({x}, {y}) is #{r:02x}{g:02x}{b:02x}; save the screenshot without scaling or smoothing"
        )
    return order[found].astype(np.uint8)


def _pack(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB -> (...) uint32, one number per colour."""
    rgb = rgb.astype(np.uint32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
