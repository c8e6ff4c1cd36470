"""A tiny palette-indexed world, and tiny models of it, for model and training tests.

A 2x2 pointer follows the mouse, any key toggles a lamp (a box in the top-left corner),
and a click inside the switch (a box in the bottom-right corner) toggles the switch: a
key effect far from the pointer, a click effect under it, and memory of both.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import torch

from neuralcomputer.actions import KEYS, Action, encode_actions
from neuralcomputer.model import ARCHS, NeuralComputer
from neuralcomputer.recordings import Recording, record_episodes

PALETTE = np.array([[0, 0, 0], [40, 40, 160], [240, 200, 40], [255, 255, 255]], dtype=np.uint8)
POINTER_COLOR = 3


class ToyWorld:
    name = "toy"
    palette = PALETTE
    pointer_color = POINTER_COLOR

    def __init__(self, width: int = 32, height: int = 32):
        self.width, self.height = width, height

    def reset(self, seed: int = 0) -> np.ndarray:
        self.pointer, self.lamp, self.switch = (self.width // 2, self.height // 2), False, False
        return self._draw()

    def step(self, action: Action) -> np.ndarray:
        if action.mouse is not None:
            self.pointer = action.mouse
        if action.button == "down" and self._on_switch():
            self.switch = not self.switch
        if action.key is not None:
            self.lamp = not self.lamp
        return self._draw()

    def state(self) -> dict:
        return {"pointer": list(self.pointer), "lamp": self.lamp, "switch": self.switch}

    def _on_switch(self) -> bool:
        x, y = self.pointer
        return x >= self.width - 10 and y >= self.height - 10

    def _draw(self) -> np.ndarray:
        screen = np.zeros((self.height, self.width), np.uint8)
        screen[2:10, 2:10] = 2 if self.lamp else 1
        screen[-9:-2, -9:-2] = 2 if self.switch else 1
        x, y = self.pointer
        screen[y : y + 2, x : x + 2] = POINTER_COLOR
        return screen


def make_toy_world(name: str, width: int, height: int) -> ToyWorld:
    return ToyWorld(width, height)


def toy_user(world: ToyWorld, seed: int, key_rate: float = 0.1) -> Iterator[Action]:
    """Short random moves; a click every few steps, and a key press at `key_rate` of them."""
    rng = np.random.default_rng(seed)
    x, y = world.pointer
    while True:
        x = int(np.clip(x + rng.integers(-3, 4), 0, world.width - 1))
        y = int(np.clip(y + rng.integers(-3, 4), 0, world.height - 1))
        key = KEYS[rng.integers(len(KEYS))] if rng.random() < key_rate else None
        button = rng.choice([None, "down", "up"], p=[0.8, 0.1, 0.1])
        yield Action(mouse=(x, y), button=button, key=key)


def record_toy(
    out: Path, episodes: int = 12, steps: int = 64, seed: int = 0, size: int = 32, key_rate: float = 0.1
) -> Recording:
    return record_episodes(
        out, "toy", episodes=episodes, steps=steps, seed=seed, width=size, height=size, progress=False,
        software_factory=make_toy_world, user_factory=partial(toy_user, key_rate=key_rate),
    )


TINY = {  # model sizes small enough that a test step takes milliseconds
    "copy-last-frame": {},
    "seed-gru": {"latent": 32, "channels": 4, "action_dim": 8},
    "grid-gru": {"channels": 8, "screen_channels": 8, "decoder_channels": 16, "sprite_size": 8},
}


def tiny_model(arch: str, size: int | tuple[int, int] = 32, **fields) -> NeuralComputer:
    """A freshly initialised (seed 0) tiny `arch` model of the toy world; `size` is a side or (width, height)."""
    torch.manual_seed(0)
    width, height = (size, size) if isinstance(size, int) else size
    config = ARCHS[arch].config_class(
        software="toy", width=width, height=height, palette=PALETTE.tolist(), pointer_color=POINTER_COLOR,
        **TINY[arch], **fields,
    )  # fmt: skip
    return ARCHS[arch](config)


def toy_clip(steps: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    """The toy world's boot screen (1, H, W) and `steps` actions (T, 1, A): moves, and a key press."""
    world = ToyWorld()
    boot = torch.from_numpy(world.reset()).clone()[None]
    actions = [Action(mouse=(3 + 2 * t, 20), key="a" if t == 2 else None) for t in range(steps)]
    return boot, torch.from_numpy(encode_actions(actions).astype("int64"))[:, None]
