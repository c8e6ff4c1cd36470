"""The on-disk format of a recording: a directory of zarr episodes described by `info.json`.

Like LeRobot's datasets, one small `info.json` says what the directory holds, so a reader can
check a recording (and a person can read it) without opening any episode.

Layout (format_version 1):

    DIR/info.json                  what the recording holds: `RecordingInfo.to_json()`
    DIR/episode_000000.zarr/       one zarr v3 group per episode
        frames   (T+1, H, W) uint8    palette indices; frames[0] is the boot screen and
                                      frames[t+1] the screen after actions[t]
        actions  (T, 5) int16                the encoding of `neuralcomputer.actions`
        attrs    {"seed": int, "steps": T}

Why zarr v3: chunked n-d arrays with zstd compression (palette screens shrink 100-200x,
losslessly), random access to a window of frames without reading the whole episode (what a
training `Dataset` needs), and a well-kept library that other languages read too.

Why it survives a crash: an episode is written to a `.tmp-*` directory inside DIR and renamed
into place, then info.json is replaced atomically (write `.tmp-info.json`, `os.replace`). Only
the episodes listed in info.json exist for readers, so an interrupted recording keeps its earlier
episodes and a partial one is never read; the next writer removes what was left behind.
"""

from __future__ import annotations

import json
import os
import re
import reprlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from neuralcomputer.errors import UserError

FORMAT = "neuralcomputer-recording"
FORMAT_VERSION = 1
INFO_NAME = "info.json"
TEMP_PREFIX = ".tmp-"  # everything in DIR named so is unfinished work of a writer
KIND_NAMES = {int: "an integer", str: "a string", list: "a list"}
EPISODE_NAME = re.compile(r"episode_\d{6,}")  # also keeps a foreign info.json from naming "../x"


@dataclass(frozen=True, slots=True)
class EpisodeEntry:
    """One listed episode; its data lives in `DIR/<name>.zarr`."""

    name: str
    seed: int
    steps: int

    @property
    def dirname(self) -> str:
        return f"{self.name}.zarr"


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """Everything `info.json` says: which software, at which size, and the complete episodes."""

    software: str
    width: int
    height: int
    palette: tuple[tuple[int, int, int], ...]  # (K, 3) RGB, K <= 256
    action_schema: int
    pointer_color: int | None = None  # palette index only the pointer uses (the software's), or None
    options: tuple[tuple[str, str | int], ...] = ()  # the software's constructor options, e.g. (("app", "xterm"),)
    episodes: tuple[EpisodeEntry, ...] = ()

    @property
    def frames(self) -> int:
        """Screens stored, boot screens included: the sum of steps + 1 over the episodes."""
        return sum(e.steps + 1 for e in self.episodes)

    @property
    def palette_rgb(self) -> np.ndarray:
        """The palette as a (K, 3) uint8 array, ready for `to_rgb`."""
        return np.array(self.palette, dtype=np.uint8).reshape(-1, 3)

    def with_episode(self, entry: EpisodeEntry) -> RecordingInfo:
        return replace(self, episodes=(*self.episodes, entry))

    def mismatch(self, other: RecordingInfo) -> str | None:
        """How `other` differs in what an appended episode must share (None if it does not)."""
        for field in ("software", "options", "width", "height", "palette", "action_schema", "pointer_color"):
            ours, theirs = getattr(self, field), getattr(other, field)
            if field == "palette" and ours != theirs:
                return "its palette differs from the new episodes' palette"
            if ours != theirs:
                return f"it has {field} {ours!r}, the new episodes {theirs!r}"
        return None

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "software": self.software,
            "width": self.width,
            "height": self.height,
            "palette": [list(c) for c in self.palette],
            "action_schema": self.action_schema,
            "pointer_color": self.pointer_color,
            "options": dict(self.options),
            "episodes": [{"name": e.name, "seed": e.seed, "steps": e.steps} for e in self.episodes],
            "frames": self.frames,
        }

    @classmethod
    def from_json(cls, obj: object, where: str) -> RecordingInfo:
        """Validate a decoded info.json; any problem is one UserError naming `where`."""
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise UserError(f"{where}: not a neuralcomputer recording (no \"format\": \"{FORMAT}\")")
        version = obj.get("format_version")
        if version != FORMAT_VERSION:
            raise UserError(
                f"{where}: format_version {version!r} is not supported (this neuralcomputer reads {FORMAT_VERSION})"
            )
        palette = _field(obj, "palette", list, where)
        if not 1 <= len(palette) <= 256 or not all(_is_rgb(c) for c in palette):
            raise UserError(f"{where}: field 'palette' must be 1 to 256 [r, g, b] colours, got {reprlib.repr(palette)}")
        pointer_color = obj.get("pointer_color")
        if pointer_color is not None and not (
            isinstance(pointer_color, int) and not isinstance(pointer_color, bool) and 0 <= pointer_color < len(palette)
        ):
            raise UserError(f"{where}: field 'pointer_color' must be null or a palette index, got {pointer_color!r}")
        options = obj.get("options", {})
        if not isinstance(options, dict) or not all(isinstance(v, (str, int)) for v in options.values()):
            raise UserError(f"{where}: field 'options' must be an object of strings and integers, got {reprlib.repr(options)}")
        episodes = []
        for i, e in enumerate(_field(obj, "episodes", list, where)):
            at = f"{where}: episodes[{i}]"
            if not isinstance(e, dict) or not EPISODE_NAME.fullmatch(str(e.get("name"))):
                raise UserError(f"{at} must be {{\"name\": \"episode_NNNNNN\", ...}}, got {reprlib.repr(e)}")
            episodes.append(EpisodeEntry(e["name"], _field(e, "seed", int, at), _field(e, "steps", int, at)))
        info = cls(
            software=_field(obj, "software", str, where),
            width=_field(obj, "width", int, where),
            height=_field(obj, "height", int, where),
            palette=tuple(tuple(c) for c in palette),
            action_schema=_field(obj, "action_schema", int, where),
            pointer_color=pointer_color,
            options=tuple(sorted(options.items())),
            episodes=tuple(episodes),
        )
        if info.width < 1 or info.height < 1 or any(e.steps < 0 for e in episodes):
            raise UserError(f"{where}: sizes and step counts must be positive")
        if obj.get("frames") != info.frames:
            raise UserError(f"{where}: field 'frames' is {obj.get('frames')!r} but the episodes hold {info.frames}")
        return info


def read_info(root: Path) -> RecordingInfo:
    """Read and validate `root/info.json`."""
    if not root.is_dir():
        raise UserError(f"{root}: no such recording directory" if not root.exists() else f"{root}: not a directory")
    path = root / INFO_NAME
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{root}: not a recording (no {INFO_NAME}); make one with `ncomp record`") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a UTF-8 text file") from None
    except json.JSONDecodeError as e:
        raise UserError(f"{path}: malformed JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
    return RecordingInfo.from_json(obj, str(path))


def write_info(root: Path, info: RecordingInfo) -> None:
    """Replace `root/info.json` atomically: readers see the old or the new one, never half."""
    temp = root / f"{TEMP_PREFIX}{INFO_NAME}"
    with open(temp, "w", encoding="utf-8") as f:
        json.dump(info.to_json(), f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, root / INFO_NAME)


def _field(obj: dict, key: str, kind: type, where: str):
    value = obj.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise UserError(f"{where}: field {key!r} must be {KIND_NAMES[kind]}, got {reprlib.repr(value)}")
    return value


def _is_rgb(colour: object) -> bool:
    return (
        isinstance(colour, list)
        and len(colour) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in colour)
    )
