"""Reading a recording: episodes are opened on demand and their frames read chunk by chunk.

Everything that can be wrong with files on disk (a listed episode missing, arrays of the wrong
shape, a truncated or damaged chunk) surfaces as one `UserError` line naming the path, never as
a traceback from deep inside zarr.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import zarr

from neuralcomputer.actions import ENCODED_WIDTH
from neuralcomputer.errors import UserError
from neuralcomputer.recordings.info import INFO_NAME, EpisodeEntry, RecordingInfo, read_info


class EpisodeFrames:
    """An episode's screens, (T+1, H, W) uint8, read lazily: slicing reads only the chunks it covers."""

    def __init__(self, array: zarr.Array, where: str):
        self._array = array
        self._where = where
        self.shape: tuple[int, ...] = array.shape
        self.dtype = np.dtype(np.uint8)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index) -> np.ndarray:
        return _read(self._array, index, self._where)


class Episode:
    """One recorded episode: `frames[0]` is the boot screen, `frames[t + 1]` the screen after `actions[t]`."""

    def __init__(self, path: Path, entry: EpisodeEntry, frames: EpisodeFrames, actions: np.ndarray):
        self.path = path
        self.name = entry.name
        self.seed = entry.seed
        self.steps = entry.steps
        self.frames = frames  # (T+1, H, W) uint8, lazy (a reader may swap in the array, read whole)
        self.actions = actions  # (T, 5) int16, in memory (small)

    def __repr__(self) -> str:
        return f"Episode({self.name!r}, seed={self.seed}, steps={self.steps})"


def open_episode(path: Path, entry: EpisodeEntry, width: int, height: int) -> Episode:
    """Open and validate an episode directory against what info.json says it holds."""
    if not path.is_dir():
        raise UserError(f"{path}: episode listed in {INFO_NAME} is missing; the recording is damaged")
    try:
        group = zarr.open_group(str(path), mode="r")
        frames, actions, attrs = group["frames"], group["actions"], dict(group.attrs)
    except Exception as e:  # zarr raises FileNotFoundError, KeyError, JSONDecodeError, ValueError...
        raise UserError(f"{path}: not a readable episode ({type(e).__name__}: {e})") from e
    if attrs.get("seed") != entry.seed or attrs.get("steps") != entry.steps:
        raise UserError(
            f"{path}: holds seed {attrs.get('seed')!r} with {attrs.get('steps')!r} steps, "
            f"but {INFO_NAME} lists seed {entry.seed} with {entry.steps} steps"
        )
    for name, array, dtype, shape in (
        ("frames", frames, np.uint8, (entry.steps + 1, height, width)),
        ("actions", actions, np.int16, (entry.steps, ENCODED_WIDTH)),
    ):
        if array.dtype != dtype or array.shape != shape:
            found = f"{array.dtype} of shape {array.shape}"
            raise UserError(f"{path}/{name}: expected {np.dtype(dtype)} of shape {shape}, found {found}")
        missing = array.nchunks - array.nchunks_initialized  # every chunk is written, even all-zero ones
        if missing:
            raise UserError(f"{path}/{name}: {missing} of {array.nchunks} chunks are missing; the episode is damaged")
    lazy_frames = EpisodeFrames(frames, str(path / "frames"))
    return Episode(path, entry, lazy_frames, _read(actions, slice(None), str(path / "actions")))


class Recording:
    """A recording directory opened for reading; only the episodes listed in info.json exist."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.info: RecordingInfo = read_info(self.root)

    def __len__(self) -> int:
        return len(self.info.episodes)

    def __repr__(self) -> str:
        return f"Recording({str(self.root)!r}, {self.info.software}, {len(self)} episodes)"

    @property
    def total_frames(self) -> int:
        """Screens stored, boot screens included."""
        return self.info.frames

    def episode(self, index: int) -> Episode:
        """Open episode `index` (0-based, in recording order)."""
        n = len(self)
        if not 0 <= index < n:
            raise UserError(f"{self.root}: no episode {index} (it has {n}{f', numbered 0..{n - 1}' if n else ''})")
        entry = self.info.episodes[index]
        return open_episode(self.root / entry.dirname, entry, self.info.width, self.info.height)

    def size_bytes(self) -> int:
        """Bytes on disk of info.json and the listed episodes."""
        total = (self.root / INFO_NAME).stat().st_size
        for entry in self.info.episodes:
            for folder, _, files in os.walk(self.root / entry.dirname):
                total += sum(os.path.getsize(os.path.join(folder, f)) for f in files)
        return total


def _read(array: zarr.Array, index, where: str) -> np.ndarray:
    try:
        return array[index]
    except (IndexError, TypeError):
        raise  # a bad index is the caller's bug, not damage on disk
    except Exception as e:  # a damaged chunk fails zstd's checksum or size check (RuntimeError, ValueError...)
        raise UserError(f"{where}: damaged chunk ({e}); re-record this episode") from e
