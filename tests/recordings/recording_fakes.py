"""A tiny deterministic software and user for recording tests (picklable, for spawned workers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from neuralcomputer.actions import KEYS, Action
from neuralcomputer.recordings import Recording, record_episodes

PALETTE = np.array(
    [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [0, 255, 255], [128, 128, 128]],
    dtype=np.uint8,
)


class FakeSoftware:
    """A screen that remembers its whole input history: the pointer is drawn, each key press
    advances a counter shown as a bar, and the button state colours the border."""

    name = "fake"
    palette = PALETTE
    pointer_color = None

    def __init__(self, width: int = 20, height: int = 12):
        self.width, self.height = width, height

    def reset(self, seed: int = 0) -> np.ndarray:
        self.pointer, self.pressed, self.typed, self.seed = (0, 0), False, 0, seed
        self.screen = np.zeros((self.height, self.width), np.uint8)
        return self._draw()

    def step(self, action: Action) -> np.ndarray:
        if action.mouse is not None:
            self.pointer = action.mouse
        if action.button is not None:
            self.pressed = action.button == "down"
        if action.key is not None:
            self.typed += 1 + KEYS.index(action.key) % 3
        return self._draw()

    def state(self) -> dict:
        return {"pointer": list(self.pointer), "pressed": self.pressed, "typed": self.typed}

    def _draw(self) -> np.ndarray:
        # Draws into one reused buffer, as a real software might: the recorder must copy.
        s = self.screen
        s[:] = 1 + self.seed % 2
        s[0, :] = s[-1, :] = s[:, 0] = s[:, -1] = 3 if self.pressed else 4
        s[1, 1 : 1 + self.typed % (self.width - 2)] = 5
        x, y = self.pointer
        s[y, x] = 6 + (self.typed // (self.width - 2)) % 2
        return s


def make_fake_software(name: str, width: int, height: int) -> FakeSoftware:
    return FakeSoftware(width, height)


def fake_user(software: FakeSoftware, seed: int) -> Iterator[Action]:
    """Random moves every step, with button and key presses mixed in."""
    rng = np.random.default_rng(seed)
    while True:
        x, y = int(rng.integers(software.width)), int(rng.integers(software.height))
        button = rng.choice([None, "down", "up"], p=[0.8, 0.1, 0.1])
        key = KEYS[rng.integers(len(KEYS))] if rng.random() < 0.3 else None
        yield Action(mouse=(x, y), button=button, key=key)


def record_fake(out: Path, episodes: int = 3, steps: int = 50, seed: int = 0, workers: int = 1) -> Recording:
    return record_episodes(
        out, "fake", episodes=episodes, steps=steps, seed=seed, width=20, height=12, workers=workers,
        progress=False, software_factory=make_fake_software, user_factory=fake_user,
    )
