"""Two lively model checkpoints (see lively_model.py) shared by the runtime tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from lively_model import game_model, lively_model

torch.set_num_threads(1)  # the test machine's cores are shared


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


@pytest.fixture(scope="session")
def game_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models") / "tiny-doom"
    game_model().save_pretrained(directory)
    return directory
