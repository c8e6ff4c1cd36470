"""Which episodes are held out from training: decided by each episode's seed alone.

A seed's side of the split never changes when episodes are appended, re-recorded or read on
another machine, so held-out seeds are never trained on. The split is nested: a seed held out
at fraction f is held out at every larger fraction too.
"""

from __future__ import annotations

import hashlib

from neuralcomputer.errors import UserError
from neuralcomputer.recordings.info import RecordingInfo

SPLITS = ("train", "heldout", "all")
HELDOUT_FRACTION = 0.1  # the default share of seeds held out, for training, evaluation and `ncomp data info`


def is_heldout(seed: int, fraction: float) -> bool:
    """Whether episode seed `seed` is held out; a stable hash (blake2b), not Python's salted `hash()`."""
    digest = hashlib.blake2b(str(seed).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < fraction


def split_episodes(info: RecordingInfo, split: str, heldout_fraction: float, where: str = "recording") -> list[int]:
    """Indices of the episodes in `split` ("train", "heldout" or "all"); a UserError if there are none."""
    if split not in SPLITS:
        raise UserError(f"unknown split {split!r} (known: {', '.join(SPLITS)})")
    if not 0.0 <= heldout_fraction <= 1.0:
        raise UserError(f"heldout fraction must be between 0 and 1, got {heldout_fraction}")
    chosen = [
        i
        for i, e in enumerate(info.episodes)
        if split == "all" or is_heldout(e.seed, heldout_fraction) == (split == "heldout")
    ]
    if not chosen:
        raise UserError(
            f"{where}: the {split!r} split is empty ({len(info.episodes)} episodes, heldout fraction "
            f"{heldout_fraction}); record more episodes or change the fraction"
        )
    return chosen
