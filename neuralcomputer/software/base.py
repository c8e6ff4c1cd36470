"""What every program a neural computer learns looks like from the outside.

A `Software` is the ground truth: it boots to a first screen, takes one action
per step and returns the next screen. Screens are (H, W) uint8 arrays of indices
into the software's fixed palette (at most 256 colours: 13 for the desktop, DOOM's
and the Atari's own 256- and 128-colour palettes), which keeps recordings lossless
and small and lets models classify pixels instead of regressing them.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from neuralcomputer.actions import Action


class Software(Protocol):
    name: str
    width: int
    height: int
    palette: np.ndarray  # (K, 3) uint8 RGB, K <= 256
    pointer_color: int | None  # palette index drawn by nothing but the pointer (to locate it), or None
    # Steps per second of a program whose time passes without input (a game: played at this
    # rate, with keys held); None for one that waits for input (a desktop steps per action).
    clock_hz: float | None

    def reset(self, seed: int = 0) -> np.ndarray:
        """Boot; return the first screen, (H, W) uint8 palette indices."""

    def step(self, action: Action) -> np.ndarray:
        """Apply one action; return the next screen, (H, W) uint8 palette indices."""

    def state(self) -> dict:
        """The true internal state as JSON-able data, for evaluation only."""


def to_rgb(screen: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Palette indices (..., H, W) -> RGB (..., H, W, 3) uint8."""
    return palette[screen]
