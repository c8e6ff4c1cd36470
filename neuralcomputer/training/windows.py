"""Training data: the recording, and which windows each optimiser step reads.

The window order of an epoch is a permutation seeded by (seed, epoch) alone, so a run's
data position is two integers (epoch, batch) and a resumed run reads exactly the windows
the uninterrupted one would have. Each rank takes every `world`-th window of a batch.

Events (`find_events`): on a desktop most steps only move the pointer, and the steps a
model must learn most (a window opens, a menu drops, a minimised window comes back) are
a few in a hundred. A share of each batch can be windows that start just before one,
drawn with the same (seed, epoch, batch) determinism. Such a window meets its event with
a memory two steps old; in closed loop a press comes at any age of the memory, so
`anywhere` puts the event at a random step of the window instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from neuralcomputer.errors import UserError
from neuralcomputer.recordings import Recording, record_episodes
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.software import SOFTWARE_NAMES

LEAD = 2  # steps an event window starts before its event


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


class Windows(NamedTuple):
    """A batch of windows: what a model boots from (screens, and the mouse button held or not), the actions,
    and the screens they produce."""

    boot: torch.Tensor  # (B, H, W) uint8, or (B, 1 + history, H, W)
    held: torch.Tensor  # (B,) bool
    actions: torch.Tensor  # (B, T, A) int64
    frames: torch.Tensor  # (B, T, H, W) uint8


def collate(items: list[dict], device: torch.device) -> Windows:
    """Dataset items -> one batch of windows."""
    return Windows(*(torch.stack([item[key] for item in items]).to(device) for key in Windows._fields))


def window_batch(
    dataset: WindowDataset,
    batch: int,
    seed: int,
    epoch: int,
    index: int,
    rank: int,
    world: int,
    device: torch.device,
    events: np.ndarray | None = None,
    event_share: float = 0.0,
    anywhere: bool = False,
    lead: int = LEAD,
) -> Windows:
    """This rank's share of window batch `index` of `epoch`, collated.

    With `events` ((N, 3) episode, start and event step, from `find_events`), the last
    round(`event_share` * batch) windows of the batch are event windows instead (starting `lead`
    steps before their events, as `find_events` was told); `anywhere`, each starts a random 0 to
    window - lead - 1 steps earlier still (not before its episode, nor so early that its event
    falls after the window: near an episode's end the window already starts earlier).
    """
    if len(dataset) < batch:
        raise UserError(f"the training split has {len(dataset)} windows, fewer than one batch of {batch}; record more")
    order = np.random.default_rng([seed, epoch]).permutation(len(dataset))
    taken = round(event_share * batch) if events is not None and len(events) else 0
    reads = [partial(dataset.__getitem__, int(i)) for i in order[index * batch : (index + 1) * batch - taken]]
    if taken:
        draws = np.random.default_rng([seed, epoch, index])
        episodes, starts, steps = events[draws.choice(len(events), taken)].T
        if anywhere:
            earlier = starts - draws.integers(0, dataset.window - lead, taken)
            starts = np.maximum(earlier, np.maximum(steps - dataset.window + 1, 0))
        reads += [partial(dataset.window_at, int(e), int(s)) for e, s in zip(episodes, starts)]
    return collate([read() for read in reads[rank::world]], device)  # each rank reads only its own windows


def find_events(dataset: WindowDataset, min_changed: float, lead: int = LEAD) -> np.ndarray:
    """Windows around the steps of the dataset's episodes that change at least `min_changed` of the screen.

    Returns (N, 3) int64 rows (episode index in the recording, window start, the event's
    step): each window starts `lead` steps before its event (earlier where the episode ends
    too soon), so it holds the event and what follows it.
    """
    info, rows = dataset.recording.info, []
    threshold = min_changed * info.width * info.height
    for index in dataset.episodes:
        frames = dataset.episode(index).frames[:]
        last = len(frames) - 1 - dataset.window  # the latest start of a whole window
        changed = (frames[1:] != frames[:-1]).sum(axis=(1, 2))
        for step in np.nonzero(changed >= threshold)[0]:
            rows.append((index, min(max(0, int(step) - lead), last), int(step)))
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


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
        frames = data.episode(index).frames
        counts += np.bincount(frames[::every].ravel(), minlength=len(counts))
    if info.pointer_color is not None:
        counts[info.pointer_color] = counts.max() + 1
    seen = np.argsort(-counts, kind="stable")[: min(limit, int((counts > 0).sum()))]
    return sorted(int(c) for c in seen)
