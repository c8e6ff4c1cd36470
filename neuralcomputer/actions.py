"""The action schema shared by every software, recording and model (version 2).

One action per step, one frame per step. The JSON form is one object per step
(one per line in an action log, JSON Lines):

    {"mouse": [x, y]}           move the pointer to screen pixel (x, y)
    {"button": "down" | "up"}   the left mouse button
    {"key": NAME}               one key press: a printable ASCII character, or one
                                of Enter, Backspace, Escape, Tab, Up, Down, Left, Right
    {"hold": [NAME, ...]}       keys held down during this whole step (games): names
                                from `HOLD_KEYS`; absent or [] = nothing held
    {}                          a step with no input

The fields may be combined in one object; they apply in that order (move, then
button, then key; held keys last the whole step). Models see the fixed-size
integer encoding `[mouse_x, mouse_y, button, key, hold]` (int16), with -1 for
"no move", button 0/1/2 = none/down/up, key 0 = none, else 1 + index into `KEYS`,
and hold a bit mask over `HOLD_KEYS`.

Version history: 1 had no "hold" (a version-1 log is a valid version-2 log);
2 added "hold" for software that reads held keys rather than presses (DOOM, Atari).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuralcomputer.errors import UserError

SCHEMA_VERSION = 2
NAMED_KEYS = ("Enter", "Backspace", "Escape", "Tab", "Up", "Down", "Left", "Right")
KEYS = tuple(chr(c) for c in range(32, 127)) + NAMED_KEYS
KEY_CODES = {name: i + 1 for i, name in enumerate(KEYS)}
# Held keys: arrows to move and turn, space/Ctrl to use/fire, WASD-E for strafing
# layouts; 15 of them so the bit mask fits a non-negative int16.
HOLD_KEYS = ("Up", "Down", "Left", "Right", " ", "Ctrl", "Shift", "Alt", "Enter", "Tab", "w", "a", "s", "d", "e")
HOLD_BITS = {name: 1 << i for i, name in enumerate(HOLD_KEYS)}
BUTTONS = ("down", "up")
BUTTON_CODES = {name: i + 1 for i, name in enumerate(BUTTONS)}
FIELDS = ("mouse", "button", "key", "hold")
ENCODED_WIDTH = 5  # mouse_x, mouse_y, button, key, hold
NUM_KEY_CODES = len(KEYS) + 1  # including 0 = no key
NUM_BUTTON_CODES = len(BUTTONS) + 1


class ActionError(UserError):
    """An action that does not follow the schema."""


@dataclass(frozen=True, slots=True)
class Action:
    """One step of input. All fields optional: `Action()` is a step with no input."""

    mouse: tuple[int, int] | None = None
    button: str | None = None
    key: str | None = None
    hold: tuple[str, ...] = ()  # in HOLD_KEYS order, no repeats

    def to_json(self) -> dict:
        """The schema's JSON object, with absent fields left out."""
        out: dict = {}
        if self.mouse is not None:
            out["mouse"] = [int(self.mouse[0]), int(self.mouse[1])]
        if self.button is not None:
            out["button"] = self.button
        if self.key is not None:
            out["key"] = self.key
        if self.hold:
            out["hold"] = list(self.hold)
        return out

    @classmethod
    def from_json(cls, obj: object, width: int, height: int, where: str = "action") -> "Action":
        """Validate a decoded JSON value against the schema for a `width`x`height` screen."""
        if not isinstance(obj, dict):
            raise ActionError(f"{where}: expected a JSON object, got {type(obj).__name__}")
        for field in obj:
            if field not in FIELDS:
                raise ActionError(f"{where}: unknown field {field!r} (allowed: {', '.join(FIELDS)})")
        mouse = obj.get("mouse")
        if mouse is not None:
            if (
                not isinstance(mouse, list)
                or len(mouse) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in mouse)
            ):
                raise ActionError(f"{where}: field 'mouse' must be [x, y] with two integers, got {mouse!r}")
            x, y = mouse
            if not (0 <= x < width and 0 <= y < height):
                raise ActionError(
                    f"{where}: field 'mouse' {mouse} is off screen (x in 0..{width - 1}, y in 0..{height - 1})"
                )
            mouse = (x, y)
        button = obj.get("button")
        if button is not None and not (isinstance(button, str) and button in BUTTON_CODES):
            raise ActionError(f"{where}: field 'button' must be \"down\" or \"up\", got {button!r}")
        key = obj.get("key")
        if key is not None and not (isinstance(key, str) and key in KEY_CODES):
            raise ActionError(
                f"{where}: field 'key' {key!r} is not a printable ASCII character nor one of {', '.join(NAMED_KEYS)}"
            )
        hold = obj.get("hold", [])
        if not isinstance(hold, list) or not all(isinstance(name, str) and name in HOLD_BITS for name in hold):
            raise ActionError(f"{where}: field 'hold' must be a list of names from {', '.join(map(repr, HOLD_KEYS))}, got {hold!r}")
        if len(set(hold)) != len(hold):
            raise ActionError(f"{where}: field 'hold' names a key twice: {hold!r}")
        return cls(mouse=mouse, button=button, key=key, hold=tuple(k for k in HOLD_KEYS if k in hold))

    def encode(self) -> np.ndarray:
        """The fixed-size encoding: int16 `[mouse_x, mouse_y, button, key, hold]`."""
        x, y = self.mouse if self.mouse is not None else (-1, -1)
        hold = sum(HOLD_BITS[name] for name in self.hold)
        return np.array(
            [x, y, BUTTON_CODES.get(self.button, 0), KEY_CODES.get(self.key, 0), hold], dtype=np.int16
        )

    @classmethod
    def decode(cls, row: np.ndarray) -> "Action":
        """Inverse of `encode`."""
        x, y, button, key, hold = (int(v) for v in row)
        return cls(
            mouse=None if x < 0 else (x, y),
            button=None if button == 0 else BUTTONS[button - 1],
            key=None if key == 0 else KEYS[key - 1],
            hold=tuple(name for name in HOLD_KEYS if hold & HOLD_BITS[name]),
        )


def encode_actions(actions: list[Action]) -> np.ndarray:
    """Stack actions into an int16 array of shape (T, ENCODED_WIDTH)."""
    if not actions:
        return np.zeros((0, ENCODED_WIDTH), dtype=np.int16)
    return np.stack([a.encode() for a in actions])


def button_held(buttons: np.ndarray, held: bool = False) -> bool:
    """Whether the mouse button is down after steps with these encoded buttons (0 none, 1 down, 2 up), when
    it was `held` before them."""
    presses = buttons[buttons != 0]
    return bool(presses[-1] == BUTTON_CODES["down"]) if len(presses) else held


def decode_actions(rows: np.ndarray) -> list[Action]:
    """Inverse of `encode_actions`."""
    return [Action.decode(row) for row in rows]


def parse_action_line(line: str, width: int, height: int, where: str = "action") -> Action:
    """Parse one JSON text (a log line or a network message) into a validated Action."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise ActionError(f"{where}: malformed JSON ({e.msg} at column {e.colno})") from None
    return Action.from_json(obj, width, height, where)


def read_action_log(path: str | Path, width: int, height: int) -> list[Action]:
    """Read and validate a whole JSON Lines action log; any bad line rejects the log."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such action log") from None
    except UnicodeDecodeError:
        raise ActionError(f"{path}: not a UTF-8 text file") from None
    actions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            actions.append(parse_action_line(line, width, height, where=f"{path}:{number}"))
    return actions


def write_action_log(path: str | Path, actions: list[Action]) -> None:
    """Write actions as JSON Lines (replayable with `ncomp record desktop --actions`)."""
    Path(path).write_text("".join(json.dumps(a.to_json()) + "\n" for a in actions), encoding="utf-8")
