"""A small untrained grid-gru of the desktop, made lively so that its screens visibly react to input."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from neuralcomputer.model.grid_gru import GridGRU, GridGRUConfig
from neuralcomputer.software.desktop import PALETTE, POINTER_COLOR

torch.set_num_threads(1)  # the test machine's cores are shared

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


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models") / "tiny-desktop"
    lively_model(0).save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def other_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models") / "other-desktop"
    lively_model(1).save_pretrained(directory)
    return directory
