"""The classic design, kept as the baseline every report compares with.

A conv encoder squeezes the boot screen into one flat latent vector, a GRUCell
advances it on each action embedding, and a deconvolution decoder paints the whole
screen from it every step (the World Models / NeuralOS recipe). Everything the
machine knows, the pointer included, must fit in that one vector and be redrawn
from it, which is what makes it blur and drift.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn.functional as F
from torch import Tensor, nn

from neuralcomputer.model.action_embedding import ActionEmbedding
from neuralcomputer.model.computer import ModelConfig, NeuralComputer, State

DOWNSAMPLINGS = 4  # 128x128 -> 8x8 before flattening; other sizes are padded up to a multiple of 16


@dataclass
class SeedGRUConfig(ModelConfig):
    arch: str = "seed-gru"
    latent: int = 512  # the whole machine state
    channels: int = 32  # conv width at the two finest scales; the two coarsest use twice this
    action_dim: int = 64


class SeedGRU(NeuralComputer):
    """Flat latent vector + GRUCell + deconvolution decoder."""

    config_class = SeedGRUConfig

    def __init__(self, config: SeedGRUConfig):
        super().__init__(config)
        c, k, unit = config.channels, self.num_colors, 2**DOWNSAMPLINGS
        widths = [k, c, c, 2 * c, 2 * c]  # per scale, finest first
        self.grid = self.cells(unit)
        # Right and bottom padding up to whole coarse cells (160x120 -> 160x128); cropped from the logits.
        self.padding = (0, self.grid[1] * unit - config.width, 0, self.grid[0] * unit - config.height)
        flat = widths[-1] * self.grid[0] * self.grid[1]
        down = []
        for cin, cout in zip(widths[:-1], widths[1:]):
            down += [nn.Conv2d(cin, cout, 4, stride=2, padding=1), nn.GELU()]
        self.encoder = nn.Sequential(*down, nn.Flatten(), nn.Linear(flat, config.latent), nn.Tanh())
        self.action = ActionEmbedding(config.action_dim, config.width, config.height)
        self.cell = nn.GRUCell(config.action_dim, config.latent)
        self.project = nn.Linear(config.latent, flat)
        up = []
        for cin, cout in zip(widths[:0:-1], widths[-2::-1]):
            up += [nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1), nn.GELU()]
        self.decoder = nn.Sequential(*up[:-1])  # logits: no activation after the last layer

    def _boot(self, screens: Tensor) -> State:
        onehot_BKHW = F.one_hot(screens.long(), self.num_colors).permute(0, 3, 1, 2).float()
        return {"latent": self.encoder(F.pad(onehot_BKHW, self.padding))}

    def transition(self, state: State, actions: Tensor) -> tuple[State, Tensor]:
        latent_BD = self.cell(self.action(actions), state["latent"])
        coarse_BCHW = self.project(latent_BD).view(latent_BD.shape[0], -1, *self.grid)
        logits_BKHW = self.decoder(coarse_BCHW)[:, :, : self.config.height, : self.config.width]
        return {"latent": latent_BD}, logits_BKHW
