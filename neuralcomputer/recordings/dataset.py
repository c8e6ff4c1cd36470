"""Training windows from a recording, as a PyTorch `Dataset`.

A window of T steps starting at step s is what teacher-forced training of a neural computer
needs: the screen before (`boot` = frames[s]), the T actions (actions[s:s+T]) and the T screens
they produce (frames[s+1:s+T+1]), so `frames[t]` is the result of `actions[t]` applied to the
screen before it (`boot` for t = 0).

With `history` = n, `boot` is instead the n + 1 screens frames[s-n:s+1], so that a model
can watch what happened before the window (see `NeuralComputer.boot`); near an episode's
start the first screen stands in for the missing ones (an unchanged screen is no news).

`held` says whether the mouse button is down when the window starts (a window that
starts in the middle of a drag): no screen shows it, and a model told "up" there learns
that a move without the button drags windows.

With `memory` bytes, the first episodes read are kept decompressed in memory while they
fit: a window with a long history touches 3-4 zstd chunks, and reading them again on
every visit cost ~15 ms a window, an eighth of a training step on a 2-core CPU and most of
one on a GPU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from neuralcomputer.actions import button_held
from neuralcomputer.errors import UserError
from neuralcomputer.recordings.reader import Episode, Recording
from neuralcomputer.recordings.split import HELDOUT_FRACTION, split_episodes


class WindowDataset(Dataset):
    """Windows of `window` steps from the episodes of one split.

    Windows start at steps 0, window, 2*window, ... of each episode (stride = window), so an epoch
    visits every transition once; the last `steps % window` transitions of an episode are left out.
    Each item reads only the chunks its window covers.
    """

    def __init__(
        self,
        root: str | Path,
        window: int,
        split: str = "train",
        heldout_fraction: float = HELDOUT_FRACTION,
        history: int = 0,
        memory: int = 0,
    ):
        if window < 1:
            raise UserError(f"window must be at least 1 step, got {window}")
        if history < 0:
            raise UserError(f"history must be 0 or more steps, got {history}")
        if memory < 0:
            raise UserError(f"memory must be 0 or more bytes, got {memory}")
        self.recording = Recording(root)
        self.window = window
        self.history = history
        self.memory = memory  # bytes of decompressed frames this process may keep
        self.episodes = split_episodes(self.recording.info, split, heldout_fraction, str(root))
        counts = [self.recording.info.episodes[e].steps // window for e in self.episodes]
        self._ends = np.cumsum(counts)  # item i is in the first episode whose end exceeds i
        if not self._ends[-1]:
            longest = max(self.recording.info.episodes[e].steps for e in self.episodes)
            raise UserError(f"{root}: no {split} episode has {window} steps (the longest has {longest})")
        self._open: dict[int, Episode] = {}  # per process: open zarr arrays are not shared with workers
        self._kept = 0  # bytes of frames kept in memory by this process

    def __len__(self) -> int:
        return int(self._ends[-1])

    def __getitem__(self, index: int) -> dict:
        """{"boot": (H, W) uint8, "held": () bool, "actions": (T, 5) int64, "frames": (T, H, W) uint8, "episode",
        "start"}.

        With a `history`, "boot" is (history + 1, H, W).

        `episode` is the episode's index in the recording and `start` the step the window starts at.
        """
        if not 0 <= index < len(self):
            raise IndexError(f"window {index} out of range ({len(self)} windows)")
        k = int(np.searchsorted(self._ends, index, side="right"))
        return self.window_at(self.episodes[k], (index - (int(self._ends[k - 1]) if k else 0)) * self.window)

    def window_at(self, episode_index: int, start: int) -> dict:
        """The window of episode `episode_index` (an index in the recording) that starts at step `start`, as an item."""
        episode = self.episode(episode_index)
        first = max(0, start - self.history)
        clip = episode.frames[first : start + self.window + 1]  # (before + T + 1, H, W)
        past, clip = clip[: start - first + 1], clip[start - first :]  # frames[first:start+1], frames[start:]
        boot = past[-1] if not self.history else np.concatenate([past[:1]] * (self.history + 1 - len(past)) + [past])
        return {
            "boot": torch.from_numpy(boot),
            "held": torch.tensor(button_held(episode.actions[:start, 2])),
            "actions": torch.from_numpy(episode.actions[start : start + self.window].astype(np.int64)),
            "frames": torch.from_numpy(clip[1:]),
            "episode": episode_index,
            "start": start,
        }

    def episode(self, index: int) -> Episode:
        """Episode `index` of the recording, opened once per process, its frames in memory while the budget lasts."""
        if index not in self._open:
            episode = self.recording.episode(index)
            size = int(np.prod(episode.frames.shape))
            if self._kept + size <= self.memory:
                episode.frames, self._kept = episode.frames[:], self._kept + size  # sliced the same, read once
            self._open[index] = episode
        return self._open[index]

    def __getstate__(self) -> dict:
        """DataLoader workers reopen episodes themselves."""
        return {**self.__dict__, "_open": {}, "_kept": 0}
