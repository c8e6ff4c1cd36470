"""A small untrained grid-gru of the desktop, made lively so that its screens visibly react to input."""

from __future__ import annotations

import torch

from neuralcomputer.model.grid_gru import GridGRU, GridGRUConfig
from neuralcomputer.software.desktop import PALETTE, POINTER_COLOR

TINY = {"channels": 8, "screen_channels": 8, "decoder_channels": 16, "sprite_size": 8}


def lively_model(seed: int = 0) -> GridGRU:
    """Untrained, with open change gates and sharpened colour logits: every input changes many pixels.

    (An untrained model as initialised keeps every pixel, so nothing would be seen to react.)
    """
    torch.manual_seed(seed)
    config = GridGRUConfig(palette=PALETTE.tolist(), pointer_color=POINTER_COLOR, keep_bias=0.0, **TINY)
    model = GridGRU(config).eval()
    with torch.no_grad():
        model.pixels.weight.mul_(20.0)
    return model


def game_model() -> GridGRU:
    """A small untrained grid-gru of DOOM (its palette cut to 16 colours): software with a clock and held keys."""
    from neuralcomputer.software import make_software

    torch.manual_seed(0)
    palette = make_software("doom", 160, 120).palette  # read from the WAD; the game is not started
    config = GridGRUConfig(software="doom", width=160, height=120, palette=palette.tolist(), colors=list(range(16)), **TINY)
    return GridGRU(config).eval()
