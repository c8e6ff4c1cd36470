"""Training data: the recording, and which windows each optimiser step reads.

The window order of an epoch is a permutation seeded by (seed, epoch) alone, so a run's
data position is two integers (epoch, batch) and a resumed run reads exactly the windows
the uninterrupted one would have. Each rank takes every `world`-th window of a batch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from neuralcomputer.errors import UserError
from neuralcomputer.recordings import Recording, record_episodes
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.software import SOFTWARE_NAMES


def prepare_data(
    data: str, out: Path, episodes: int, steps: int, workers: int, rank: int, barrier: Callable[[], None]
) -> Path:
    """The recording to train on: `data` itself, or OUT/data recorded first when `data` names a software.

    A recording cut short (a killed run) is completed on the next call, not redone.
    """
    if data not in SOFTWARE_NAMES:
        return Path(data)
    root = out / "data"
    if rank == 0:
        have = len(Recording(root)) if (root / "info.json").exists() else 0
        if have < episodes:
            record_episodes(root, data, episodes=episodes - have, steps=steps, seed=have, workers=workers)
    barrier()
    return root


def collate(items: list[dict], device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Windows -> (boot (B, H, W) uint8, actions (B, T, A) int64, frames (B, T, H, W) uint8)."""
    return tuple(torch.stack([item[key] for item in items]).to(device) for key in ("boot", "actions", "frames"))


def window_batch(
    dataset: WindowDataset, batch: int, seed: int, epoch: int, index: int, rank: int, world: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """This rank's share of window batch `index` of `epoch`, collated."""
    if len(dataset) < batch:
        raise UserError(f"the training split has {len(dataset)} windows, fewer than one batch of {batch}; record more")
    order = np.random.default_rng([seed, epoch]).permutation(len(dataset))
    chosen = order[index * batch : (index + 1) * batch][rank::world]
    return collate([dataset[int(i)] for i in chosen], device)


def spread_windows(dataset: WindowDataset, count: int, device: torch.device):
    """`count` windows spread evenly over the dataset (all of them if fewer), collated."""
    chosen = np.unique(np.linspace(0, len(dataset) - 1, min(count, len(dataset))).round().astype(int))
    return collate([dataset[int(i)] for i in chosen], device)


def frequent_colors(data: WindowDataset, limit: int, episodes: int = 32, every: int = 16) -> list[int] | None:
    """The palette colours seen in the training data, at most `limit` (the most frequent); None when the
    palette has no more than `limit`.

    A model's per-pixel classifier costs in proportion to its colours, and a game's
    palette holds many that its screens never or rarely use (Breakout shows 9 of 128;
    DOOM some 210 of 256, of which the 32 most frequent keep ~26 dB of PSNR and the 64
    most frequent ~37 dB). Counted on every
    `every`-th frame of the first `episodes` training episodes: the same data gives the
    same colours, so a resumed run builds the same model. The software's pointer colour
    is always kept.
    """
    info = data.recording.info
    if len(info.palette) <= limit:
        return None
    counts = np.zeros(len(info.palette), np.int64)
    for index in data.episodes[:episodes]:
        frames = data.recording.episode(index).frames
        counts += np.bincount(frames[::every].ravel(), minlength=len(counts))
    if info.pointer_color is not None:
        counts[info.pointer_color] = counts.max() + 1
    seen = np.argsort(-counts, kind="stable")[: min(limit, int((counts > 0).sum()))]
    return sorted(int(c) for c in seen)
