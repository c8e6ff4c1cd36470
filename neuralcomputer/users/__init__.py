"""Synthetic users: scripted people who drive software to make recordings."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError
from neuralcomputer.software.base import Software


def make_user(software: Software, seed: int) -> Iterator[Action]:
    """An endless stream of actions for `software`, looking at it between steps."""
    rng = np.random.default_rng(seed)
    if software.name == "desktop":
        from neuralcomputer.users.desktop_user import DesktopUser

        return iter(DesktopUser(software, rng))
    if software.name == "doom":
        from neuralcomputer.users.doom_player import DoomPlayer

        return iter(DoomPlayer(software, rng))
    if software.name == "atari":
        from neuralcomputer.users.atari_player import AtariPlayer

        return iter(AtariPlayer(software, rng))
    if software.name == "x11":
        from neuralcomputer.users.x11_user import x11_user

        return iter(x11_user(software, rng))
    raise UserError(f"no synthetic user for software {software.name!r}")
