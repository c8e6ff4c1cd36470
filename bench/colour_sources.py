"""Colour sources: where the true colour of each changed pixel is already on offer, by the action of the step.

grid-gru's pixels choose between old colours kept exactly (their own, the one the
pointer's move drags onto them, the one `under` them) and a new colour decoded from the
memory. This asks the true screens of a recording, with no model, how much of what each
step changes the exact sources could give: for every pixel a step changes, whether its
new colour is the one the drag offers, the one `under` offers (filled by grid-gru's rule:
each pixel's colour before its last change), or either. What neither holds must be
decoded (a window opening, text typed); where a source holds most of it, a model's
mistakes are in choosing, not in drawing. Rows group the steps as `drift_sources.py`
does. The screens are the recorded ones, pointer included: a plain move's changed pixels
are mostly the pointer's, which the drag's shift moves too.

Run: `python bench/colour_sources.py --data runs/desktop-heldout [--horizon 1000]`.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from drift_sources import step_kinds, whole_episodes
from event_misses import KINDS

from neuralcomputer.model.pointer import drag, move_pointer
from neuralcomputer.recordings.dataset import WindowDataset


def colour_sources(data: WindowDataset, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps per kind, per kind: [pixels changed, of them in the drag's colour, in `under`'s, in either])."""
    frames, actions = whole_episodes(data, horizon)
    kinds = step_kinds(data, actions)
    counts = np.zeros((len(KINDS), 4), np.int64)
    under, pointer = frames[:, 0].clone(), torch.full((len(frames), 2), -1)
    for t in range(horizon):
        before, after = frames[:, t], frames[:, t + 1]
        moved = move_pointer(pointer, actions[:, t])
        changed = after != before
        dragged, kept = (drag(before, pointer, moved) == after) & changed, (under == after) & changed
        per_episode = torch.stack([m.sum((1, 2)) for m in (changed, dragged, kept, dragged | kept)], 1)
        np.add.at(counts, kinds[:, t], per_episode.numpy())
        under, pointer = torch.where(changed, before, under), moved
    return np.bincount(kinds.ravel(), minlength=len(KINDS)), counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a desktop recording")
    parser.add_argument("--split", default="all", help="the recording's episodes to read: all, heldout or train")
    parser.add_argument("--horizon", type=int, default=1000, help="steps per episode")
    args = parser.parse_args()
    data = WindowDataset(args.data, args.horizon, args.split)
    steps, counts = colour_sources(data, args.horizon)

    print(f"{len(data.episodes)} episodes x {args.horizon} steps of {args.data}: of the pixels each kind of step "
          f"changes, the share whose new colour an exact source offers")  # fmt: skip
    print(f"{'action':>17} | {'steps':>6} | {'changed/step':>12} | {'drag':>5} | {'under':>5} | {'either':>6}")
    print(f"{'-' * 17}-+-{'-' * 6}-+-{'-' * 12}-+-{'-' * 5}-+-{'-' * 5}-+-{'-' * 6}")
    for k, name in enumerate(KINDS):
        changed, dragged, kept, either = counts[k]
        if changed:
            print(f"{name:>17} | {steps[k]:>6} | {changed / steps[k]:>12.1f} | {dragged / changed:>5.3f} | "
                  f"{kept / changed:>5.3f} | {either / changed:>6.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
