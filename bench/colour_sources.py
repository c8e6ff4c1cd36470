"""Colour sources: where the true colour of each changed pixel is already on offer, by the action of the step.

grid-gru's pixels choose between old colours kept exactly (their own, the one the
pointer's move drags onto them, the one `under` them) and a new colour decoded from the
memory. This asks the true screens of a recording, with no model, how much of what each
step changes the exact sources could give: for every pixel a step changes, whether its
new colour is the one the drag offers, one that `under` offers (filled by grid-gru's rule,
`fold_under`: each pixel's colour before its last change, or with `--depths` its stack of
that many colours before its last changes), or either (the deepest stack's). What neither holds must be
decoded (a window opening, text typed); where a source holds most of it, a model's
mistakes are in choosing, not in drawing. Rows group the steps as `drift_sources.py`
does. The screens are the recorded ones, pointer included: a plain move's changed pixels
are mostly the pointer's, which the drag's shift moves too.

Run: `python bench/colour_sources.py --data runs/desktop-heldout [--horizon 1000] [--depths 1 2 4]`.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from drift_sources import step_kinds, whole_episodes
from event_misses import KINDS

from neuralcomputer.model.grid_gru import fold_under
from neuralcomputer.model.pointer import drag, move_pointer
from neuralcomputer.recordings.dataset import WindowDataset


def colour_sources(data: WindowDataset, horizon: int, depths: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(steps per kind, per kind: [pixels changed, of them in the drag's colour, in a layer of `under` for each
    depth, in either the drag's or the deepest stack's])."""
    frames, actions = whole_episodes(data, horizon)
    kinds = step_kinds(data, actions)
    counts = np.zeros((len(KINDS), 3 + len(depths)), np.int64)
    stacks = [frames[:, :1].repeat(1, depth, 1, 1) for depth in depths]
    pointer = torch.full((len(frames), 2), -1)
    for t in range(horizon):
        before, after = frames[:, t], frames[:, t + 1]
        moved = move_pointer(pointer, actions[:, t])
        changed = after != before
        dragged = (drag(before, pointer, moved) == after) & changed
        kept = [(under == after[:, None]).any(1) & changed for under in stacks]
        per_episode = torch.stack([m.sum((1, 2)) for m in (changed, dragged, *kept, dragged | kept[-1])], 1)
        np.add.at(counts, kinds[:, t], per_episode.numpy())
        stacks, pointer = [fold_under(under, before, after) for under in stacks], moved
    return np.bincount(kinds.ravel(), minlength=len(KINDS)), counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a desktop recording")
    parser.add_argument("--split", default="all", help="the recording's episodes to read: all, heldout or train")
    parser.add_argument("--horizon", type=int, default=1000, help="steps per episode")
    parser.add_argument("--depths", type=int, nargs="+", default=[1], help="layers of `under` (grid-gru's under_depth)")
    args = parser.parse_args()
    depths = sorted(set(args.depths))
    if depths[0] < 1:
        raise SystemExit(f"--depths: a stack has 1 layer or more, got {depths[0]}")
    data = WindowDataset(args.data, args.horizon, args.split)
    steps, counts = colour_sources(data, args.horizon, depths)

    print(f"{len(data.episodes)} episodes x {args.horizon} steps of {args.data}: of the pixels each kind of step "
          f"changes, the share whose new colour an exact source offers")  # fmt: skip
    unders = [f"under {depth}" if len(depths) > 1 else "under" for depth in depths]
    print(" | ".join([f"{'action':>17}", f"{'steps':>6}", f"{'changed/step':>12}", f"{'drag':>5}"]
                     + [f"{name:>8}" for name in unders] + [f"{'either':>6}"]))  # fmt: skip
    print("-+-".join(["-" * 17, "-" * 6, "-" * 12, "-" * 5] + ["-" * 8] * len(depths) + ["-" * 6]))
    for k, name in enumerate(KINDS):
        changed, dragged, *kept, either = counts[k]
        if changed:
            shares = [f"{n / changed:>8.3f}" for n in kept]
            print(" | ".join([f"{name:>17}", f"{steps[k]:>6}", f"{changed / steps[k]:>12.1f}",
                              f"{dragged / changed:>5.3f}"] + shares + [f"{either / changed:>6.3f}"]))  # fmt: skip


if __name__ == "__main__":
    main()
