"""The reference desktop: Files, Notepad, Calculator and Terminal in a deterministic window manager."""

from neuralcomputer.software.desktop.desktop import APPS, Desktop
from neuralcomputer.software.desktop.palette import PALETTE, POINTER_COLOR

__all__ = ["APPS", "Desktop", "PALETTE", "POINTER_COLOR"]
