"""Programs a neural computer learns: the ground truth it is measured against."""

from __future__ import annotations

from neuralcomputer.errors import UserError
from neuralcomputer.software.base import Software, to_rgb

SOFTWARE_NAMES = ("desktop", "doom", "atari", "x11")
# Each software's native screen size, for callers that do not choose one.
DEFAULT_SIZES = {"desktop": (128, 128), "doom": (160, 120), "atari": (160, 210), "x11": (256, 192)}


def make_software(name: str, width: int = 128, height: int = 128, **options) -> Software:
    """Build a software by name at the given screen size; `options` go to its constructor (game=, app=, ...)."""
    if name == "desktop":
        from neuralcomputer.software.desktop import Desktop

        return Desktop(width=width, height=height, **options)
    if name == "doom":
        from neuralcomputer.software.doom import Doom

        return Doom(width=width, height=height, **options)
    if name == "atari":
        from neuralcomputer.software.atari import Atari

        return Atari(width=width, height=height, **options)
    if name == "x11":
        from neuralcomputer.software.x11 import X11App

        return X11App(width=width, height=height, **options)
    raise UserError(f"unknown software {name!r} (known: {', '.join(SOFTWARE_NAMES)})")


__all__ = ["DEFAULT_SIZES", "Software", "SOFTWARE_NAMES", "make_software", "to_rgb"]
