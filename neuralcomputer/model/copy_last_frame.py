"""The trivial baseline: the next screen is the last one. No parameters, same API.

Most pixels of a desktop do not change from one step to the next, so this scores
high on pixel metrics while knowing nothing; every learned model must beat it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn.functional as F
from torch import Tensor

from neuralcomputer.model.computer import ModelConfig, NeuralComputer, State


@dataclass
class CopyLastFrameConfig(ModelConfig):
    arch: str = "copy-last-frame"


class CopyLastFrame(NeuralComputer):
    """State = the last screen; every step returns it unchanged."""

    config_class = CopyLastFrameConfig

    def _boot(self, screens: Tensor) -> State:
        return {"screen": screens}

    def transition(self, state: State, actions: Tensor) -> tuple[State, Tensor]:
        logits_BKHW = F.one_hot(state["screen"].long(), self.num_colors).permute(0, 3, 1, 2).float()
        return state, logits_BKHW
