"""The schema's key names as X keysyms."""

from __future__ import annotations

from Xlib import XK

# Schema names that are not single characters -> X keysym names.
NAMED = {
    "Enter": "Return",
    "Backspace": "BackSpace",
    "Escape": "Escape",
    "Tab": "Tab",
    "Up": "Up",
    "Down": "Down",
    "Left": "Left",
    "Right": "Right",
    "Ctrl": "Control_L",
    "Shift": "Shift_L",
    "Alt": "Alt_L",
}


def keysym(name: str) -> int:
    """The keysym for a `KEYS` or `HOLD_KEYS` name."""
    if len(name) == 1:
        return ord(name)  # printable ASCII: Latin-1 keysyms are the characters' code points
    return XK.string_to_keysym(NAMED[name])
