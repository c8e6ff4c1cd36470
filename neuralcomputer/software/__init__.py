"""Programs a neural computer learns: the ground truth it is measured against."""

from __future__ import annotations

from neuralcomputer.errors import UserError
from neuralcomputer.software.base import Software, to_rgb

SOFTWARE_NAMES = ("desktop",)


def make_software(name: str, width: int = 128, height: int = 128) -> Software:
    """Build a software by name at the given screen size."""
    if name == "desktop":
        from neuralcomputer.software.desktop import Desktop

        return Desktop(width=width, height=height)
    raise UserError(f"unknown software {name!r} (known: {', '.join(SOFTWARE_NAMES)})")


__all__ = ["Software", "SOFTWARE_NAMES", "make_software", "to_rgb"]
