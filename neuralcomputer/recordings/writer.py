"""Writing a recording: episodes go to temporary directories, then one writer adopts them.

`write_episode` can run in any process (recording workers write whole episodes in parallel);
`RecordingWriter` runs in one process and is the only one that touches info.json, so the
listing of complete episodes is never raced. One writer per directory at a time.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import numpy as np
import zarr
from zarr.codecs import ZstdCodec

from neuralcomputer.actions import ENCODED_WIDTH, SCHEMA_VERSION
from neuralcomputer.errors import UserError
from neuralcomputer.recordings.info import (
    EPISODE_NAME,
    INFO_NAME,
    TEMP_PREFIX,
    EpisodeEntry,
    RecordingInfo,
    read_info,
    write_info,
)
from neuralcomputer.recordings.reader import open_episode

CHUNK_FRAMES = 64  # frames per chunk: a training window touches 1-2 chunks of ~5-10 kB compressed
COMPRESSOR = ZstdCodec(level=3, checksum=True)  # the checksum makes a damaged chunk fail loudly


def write_episode(path: Path, seed: int, frames: np.ndarray, actions: np.ndarray) -> None:
    """Write one episode group at `path`, which must not exist; frames (T+1, H, W) uint8, actions (T, 5) int16."""
    steps = len(actions)
    if frames.dtype != np.uint8 or frames.ndim != 3 or len(frames) != steps + 1:
        raise ValueError(f"frames must be uint8 (T+1, H, W) for {steps} actions, got {frames.dtype} {frames.shape}")
    if actions.dtype != np.int16 or actions.shape != (steps, ENCODED_WIDTH):
        raise ValueError(f"actions must be int16 (T, {ENCODED_WIDTH}), got {actions.dtype} {actions.shape}")
    group = zarr.open_group(str(path), mode="w-", attributes={"seed": int(seed), "steps": steps})
    for name, data, chunks in (
        ("frames", frames, (CHUNK_FRAMES, *frames.shape[1:])),
        ("actions", actions, (max(steps, 1), ENCODED_WIDTH)),
    ):
        # Chunks that are all zeros are written too, so that a missing chunk file means damage.
        group.create_array(
            name, data=data, chunks=chunks, compressors=COMPRESSOR, fill_value=0, config={"write_empty_chunks": True}
        )


class RecordingWriter:
    """Creates a recording directory, or appends to one of the same software, size, palette and schema."""

    def __init__(
        self,
        root: str | Path,
        software_name: str,
        width: int,
        height: int,
        palette: np.ndarray,
        action_schema: int = SCHEMA_VERSION,
        pointer_color: int | None = None,
        options: dict | None = None,
    ):
        self.root = Path(root)
        wanted = RecordingInfo(
            software=software_name,
            width=width,
            height=height,
            palette=tuple((int(r), int(g), int(b)) for r, g, b in np.asarray(palette)),
            action_schema=action_schema,
            pointer_color=pointer_color,
            options=tuple(sorted((options or {}).items())),
        )
        if (self.root / INFO_NAME).exists():
            self.info = read_info(self.root)
            mismatch = self.info.mismatch(wanted)
            if mismatch:
                raise UserError(f"{self.root}: cannot append: {mismatch}; record into a new directory")
        else:
            if self.root.exists() and not self.root.is_dir():
                raise UserError(f"{self.root}: exists and is not a directory")
            if self.root.exists() and any(not p.name.startswith(TEMP_PREFIX) for p in self.root.iterdir()):
                raise UserError(f"{self.root}: not empty and not a recording (no {INFO_NAME}); choose another folder")
            self.root.mkdir(parents=True, exist_ok=True)
            self.info = wanted
            write_info(self.root, self.info)
        self._remove_leftovers()

    def new_temp_dir(self) -> Path:
        """A fresh path inside the recording for `write_episode` (any process) to write to."""
        return self.root / f"{TEMP_PREFIX}{uuid.uuid4().hex}.zarr"

    def adopt_episode(self, temp_dir: Path, seed: int, steps: int) -> str:
        """Validate an episode written to `temp_dir`, move it into place and list it; returns its name."""
        entry = EpisodeEntry(f"episode_{len(self.info.episodes):06d}", seed, steps)
        open_episode(temp_dir, entry, self.info.width, self.info.height)
        final = self.root / entry.dirname
        if final.exists():  # moved in by a writer that crashed before listing it
            shutil.rmtree(final)
        temp_dir.rename(final)
        self.info = self.info.with_episode(entry)
        write_info(self.root, self.info)
        return entry.name

    def add_episode(self, seed: int, frames: np.ndarray, actions: np.ndarray) -> str:
        """Write and list one episode: frames (T+1, H, W) uint8, actions (T, 5) int16; returns its name."""
        temp_dir = self.new_temp_dir()
        write_episode(temp_dir, seed, frames, actions)
        return self.adopt_episode(temp_dir, seed, len(actions))

    def _remove_leftovers(self) -> None:
        """Delete what an interrupted writer left: temporary files and episodes it never listed."""
        listed = {e.dirname for e in self.info.episodes}
        for path in self.root.iterdir():
            unlisted = path.suffix == ".zarr" and EPISODE_NAME.fullmatch(path.stem) and path.name not in listed
            if path.name.startswith(TEMP_PREFIX) or unlisted:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
