"""The play protocol: what a client and `ncomp play` say to each other over one WebSocket.

Connect to `ws://HOST:PORT/ws`. Each connection is its own machine, booted from the
software's first screen; nothing of it is shared with other connections.

Client -> server: one JSON object per text message, at most 2 MiB (`MAX_MESSAGE_CHARS`;
longer ones get an error, and over 8 MiB the server closes the connection with code 1009).

    {"mouse": [x, y], "button": "down", "key": "a", "hold": [...]}
        an action of the schema in `neuralcomputer.actions` (every field optional; `{}` is a
        step with no input). The server steps the machine once per action, in order; a
        client that wants a clock sends `{}` at its own rate.
    {"type": "reboot"}                      boot again from the software's first screen
    {"type": "reboot", "png": BASE64}       boot from a screenshot: a PNG of the model's size
                                            in its palette's colours only
    {"type": "truth", "on": true | false}   run the real software beside the neural one
    {"type": "model", "name": NAME}         switch to another model (one of the status's
                                            "models") and boot it
    {"type": "record"}                      save the session since the last boot: an action
                                            log and a GIF of the neural screens

Server -> client, in order:

    {"type": "status", "step": N, "model": NAME, "models": [NAME, ...], "software": "desktop",
     "width": W, "height": H, "seed": S, "truth": BOOL, "booted_from": "software" | "screenshot",
     "sessions": N, "clock_hz": HZ | null, "hold_keys": [KEY, ...]}
        on connecting and whenever the model, truth or boot changes (`sessions`: how many
        this server runs now). `clock_hz` is set for a game, whose time passes without
        input: the page then sends an action at that rate, with the `hold_keys` being held
        in its "hold" (DOOM: arrows, Ctrl, space...); null for software that waits for input.
    {"type": "frame", "step": N, "after": "action" | "reboot" | "model" | "truth"}
        then one binary message: a PNG of that frame. Every action is answered by exactly one
        frame (after: "action") unless an error counts it as dropped; reboot, model and truth
        are answered by a frame too. With truth off the PNG is the neural screen (W x H); with
        truth on it is three panels in a row, `frame_image.PANEL_GAP` (2) pixels apart: neural |
        real | difference (real screen dimmed, mismatched pixels red), (3 W + 4) x H.
        `step` counts the actions applied since the last boot.
    {"type": "record", "steps": N, "actions": URL, "video": URL, "replay": COMMAND}
        the answer to "record": download URLs (HTTP GET on the same server) of the action log
        (JSON Lines, replayable with COMMAND) and the video.
    {"type": "error", "message": TEXT, "dropped": N, "fatal": BOOL}
        bad input or a refused command. `dropped` counts the actions (messages without "type")
        that get no frame because of it: 1 for a rejected action, more when a client sends
        faster than the machine steps (at most 8 messages wait, `MAX_QUEUED`; the rest are
        dropped: send the next action when a frame arrives). `fatal`: the server closes the connection next: "busy" (the session cap is
        reached: try again later; close code 1013) or idle for too long (close code 1000).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from neuralcomputer.actions import HOLD_KEYS, Action
from neuralcomputer.errors import UserError
from neuralcomputer.runtime.session import Session

MAX_MESSAGE_CHARS = 1 << 21  # 2 MiB: a screenshot PNG in base64, with room to spare
MAX_QUEUED = 8  # messages of one session waiting to be stepped; a client that outruns the machine loses the rest
BUSY_CLOSE_CODE = 1013  # WebSocket "try again later"

class ProtocolError(UserError):
    """A client message that cannot be obeyed; `dropped` is 1 if it was meant as an action."""

    def __init__(self, message: str, dropped: int):
        super().__init__(message)
        self.dropped = dropped


@dataclass(frozen=True)
class Reboot:
    png: bytes | None = None  # a screenshot to boot from; None: the software's first screen


@dataclass(frozen=True)
class SetTruth:
    on: bool


@dataclass(frozen=True)
class ChooseModel:
    name: str


@dataclass(frozen=True)
class Record:
    pass


Command = Action | Reboot | SetTruth | ChooseModel | Record
CONTROL_FIELDS = {"reboot": {"png"}, "truth": {"on"}, "model": {"name"}, "record": set()}


def parse_message(text: str, width: int, height: int) -> Command:
    """One client text message -> an action or a control command; raises ProtocolError."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise ProtocolError(f"message of {len(text)} characters is over the limit of {MAX_MESSAGE_CHARS}", 1)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as e:  # ValueError covers malformed JSON and over-long numbers
        raise ProtocolError(f"malformed JSON ({str(e).splitlines()[0][:120]})", 1) from None
    if not isinstance(obj, dict) or "type" not in obj:
        try:
            return Action.from_json(obj, width, height)
        except UserError as e:
            raise ProtocolError(str(e), 1) from None
    return _parse_control(obj)


def _parse_control(obj: dict) -> Command:
    kind = obj["type"]
    if not isinstance(kind, str) or kind not in CONTROL_FIELDS:
        raise ProtocolError(f"unknown message type {kind!r} (known: {', '.join(CONTROL_FIELDS)})", 0)
    extra = set(obj) - CONTROL_FIELDS[kind] - {"type"}
    if extra:
        raise ProtocolError(f"{kind}: unknown fields {', '.join(sorted(extra))}", 0)
    if kind == "reboot":
        png = obj.get("png")
        if png is None:
            return Reboot()
        if not isinstance(png, str):
            raise ProtocolError("reboot: field 'png' must be a base64 string", 0)
        try:
            return Reboot(base64.b64decode(png, validate=True))
        except binascii.Error:
            raise ProtocolError("reboot: field 'png' is not valid base64", 0) from None
    if kind == "truth":
        if not isinstance(obj.get("on"), bool):
            raise ProtocolError(f"truth: field 'on' must be true or false, got {obj.get('on')!r}", 0)
        return SetTruth(obj["on"])
    if kind == "model":
        if not isinstance(obj.get("name"), str):
            raise ProtocolError("model: field 'name' must be a string", 0)
        return ChooseModel(obj["name"])
    return Record()


def error_message(message: str, dropped: int = 0, fatal: bool = False) -> str:
    return json.dumps({"type": "error", "message": message, "dropped": dropped, "fatal": fatal})


def frame_message(step: int, after: str) -> str:
    return json.dumps({"type": "frame", "step": step, "after": after})


def status_message(session: Session, models: list[str], sessions: int) -> str:
    config = session.model.config
    return json.dumps(
        {
            "type": "status",
            "step": session.frame.step,
            "model": session.model_name,
            "models": models,
            "software": config.software,
            "width": config.width,
            "height": config.height,
            "seed": session.seed,
            "truth": session.truth,
            "booted_from": "software" if session.booted_from_software else "screenshot",
            "sessions": sessions,
            "clock_hz": session.software.clock_hz,
            "hold_keys": list(HOLD_KEYS),
        }
    )


def record_message(steps: int, actions_url: str, video_url: str, replay: str) -> str:
    return json.dumps({"type": "record", "steps": steps, "actions": actions_url, "video": video_url, "replay": replay})
