"""A tiny scripted user for the desktop tests (click, double-click, drag, type) and a random action stream."""

from __future__ import annotations

import numpy as np
import pytest

from neuralcomputer.actions import KEYS, Action
from neuralcomputer.software.desktop import APPS, Desktop
from neuralcomputer.software.desktop.font import read_text


class User:
    def __init__(self, desktop: Desktop, seed: int = 0):
        self.desktop = desktop
        self.frame = desktop.reset(seed)

    def step(self, **fields):
        self.frame = self.desktop.step(Action(**fields))
        return self.frame

    def click(self, point):
        self.step(mouse=point, button="down")
        self.step(button="up")

    def double_click(self, point):
        self.click(point)
        self.click(point)

    def drag(self, start, end):
        self.step(mouse=start, button="down")
        self.step(mouse=end)
        self.step(button="up")

    def type(self, text: str):
        for char in text:
            self.step(key=char)

    def press(self, *keys: str):
        for key in keys:
            self.step(key=key)

    def open(self, app: str):
        self.double_click(self.desktop.icon_center(app))
        assert self.desktop.focused() == app

    def away(self):
        """Park the pointer in the bottom-left corner, clear of every window's text."""
        self.step(mouse=(0, self.desktop.height - 1))

    def visible_text(self) -> list[str]:
        """Every text line on screen, each checked against the pixels it claims."""
        lines = []
        for region in self.desktop.text_regions():
            text = region["text"]
            assert read_text(self.frame, region["x"], region["y"], len(text), region["color"]) == text
            lines.append(text)
        return lines


@pytest.fixture
def user() -> User:
    return User(Desktop())


@pytest.fixture
def make_user():
    """A factory: make_user(width, height) -> a User on a fresh desktop of that size."""
    return lambda width=128, height=128: User(Desktop(width, height))


@pytest.fixture(name="random_actions")
def random_actions_fixture():
    return random_actions


def random_actions(desktop: Desktop, steps: int, seed: int = 0) -> list[Action]:
    """A random-ish stream: moves, clicks and double-clicks (often on icons), drags and typing."""
    rng = np.random.default_rng(seed)
    keys = list(KEYS)
    actions: list[Action] = []
    while len(actions) < steps:
        kind = rng.integers(6)
        if kind == 0:  # double-click an icon
            point = desktop.icon_center(APPS[rng.integers(len(APPS))])
            actions += [Action(mouse=point, button="down"), Action(button="up")] * 2
        elif kind in (1, 2):  # click somewhere
            point = (int(rng.integers(desktop.width)), int(rng.integers(desktop.height)))
            actions += [Action(mouse=point, button="down"), Action(button="up")]
        elif kind == 3:  # drag
            x, y = int(rng.integers(desktop.width)), int(rng.integers(desktop.height))
            actions += [Action(mouse=(x, y), button="down")]
            for _ in range(3):
                x = int(np.clip(x + rng.integers(-10, 11), 0, desktop.width - 1))
                y = int(np.clip(y + rng.integers(-10, 11), 0, desktop.height - 1))
                actions.append(Action(mouse=(x, y)))
            actions.append(Action(button="up"))
        else:  # type a few keys
            actions += [Action(key=keys[rng.integers(len(keys))]) for _ in range(int(rng.integers(1, 6)))]
    return actions[:steps]
