"""Actions as vectors: learned embeddings of the button, the key and the held keys.

The integer encoding of `neuralcomputer.actions` (`[mouse_x, mouse_y, button, key,
hold]`, -1 = no move, hold a bit mask over `HOLD_KEYS`) becomes a sum of embeddings
(one per button code, key code, key-or-not and move flag, one per held key) plus a linear map of
the normalised pointer position: the usual way discrete controls enter a world model
(GameNGen and DIAMOND embed theirs the same way).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from neuralcomputer.actions import HOLD_KEYS, NUM_BUTTON_CODES, NUM_KEY_CODES


class ActionEmbedding(nn.Module):
    """Actions int64 (B, 5) -> vectors (B, dim)."""

    def __init__(self, dim: int, width: int, height: int):
        super().__init__()
        self.button = nn.Embedding(NUM_BUTTON_CODES, dim)
        self.key = nn.Embedding(NUM_KEY_CODES, dim)
        self.any_key = nn.Embedding(2, dim)  # shared by all keys, so "a key was pressed" is learnt from every press
        self.moved = nn.Embedding(2, dim)
        self.held = nn.Linear(len(HOLD_KEYS), dim, bias=False)
        self.position = nn.Linear(2, dim)
        scale = torch.tensor([2.0 / max(width - 1, 1), 2.0 / max(height - 1, 1)])
        self.register_buffer("scale", scale, persistent=False)
        self.register_buffer("bits", 1 << torch.arange(len(HOLD_KEYS)), persistent=False)

    def forward(self, actions_BA: Tensor) -> Tensor:
        moved_B = actions_BA[:, 0] >= 0
        xy_B2 = torch.where(moved_B[:, None], actions_BA[:, :2].float() * self.scale - 1.0, 0.0)
        held_BK = (actions_BA[:, 4:5] & self.bits).ne(0).float()
        return (
            self.button(actions_BA[:, 2])
            + self.key(actions_BA[:, 3])
            + self.any_key(actions_BA[:, 3].ne(0).long())
            + self.moved(moved_B.long())
            + self.held(held_BK)
            + self.position(xy_B2)
        )
