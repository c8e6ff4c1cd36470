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
are mostly the pointer's, which the drag's shift moves too. With `--model`, they are
the screens as that model sees them instead: the pointer rubbed out, its footprint filled
from the screen before. With `--carry`, one more column: the drag's colour or the deepest
stack folded by `drag_keeps_under`'s rule (`carried_by_drag`).

Run: `python bench/colour_sources.py --data runs/desktop-heldout [--horizon 1000] [--depths 1 2 4]
[--model desktop] [--carry]`.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from drift_sources import step_kinds, whole_episodes
from event_misses import KINDS

from neuralcomputer.model import load_model
from neuralcomputer.model.grid_gru import GridGRU, carried_by_drag, fold_under
from neuralcomputer.model.pointer import drag, move_pointer
from neuralcomputer.recordings.dataset import WindowDataset


def colour_sources(
    data: WindowDataset, horizon: int, depths: list[int], seen_by: GridGRU | None = None, carry: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(steps per kind, per kind: [pixels changed, of them in the drag's colour, in a layer of `under` for each
    depth, in either the drag's or the deepest stack's[, in either the drag's or the deepest stack's folded by
    `carried_by_drag`'s rule]]); the screens as `seen_by` sees them, where given."""
    frames, actions = whole_episodes(data, horizon)
    kinds = step_kinds(data, actions)
    if seen_by is not None:
        frames = rubbed_out(seen_by, frames)
    counts = np.zeros((len(KINDS), 3 + len(depths) + carry), np.int64)
    stacks = [frames[:, :1].repeat(1, depth, 1, 1) for depth in depths]
    carried_stack = stacks[-1]
    pointer = torch.full((len(frames), 2), -1)
    for t in range(horizon):
        before, after = frames[:, t], frames[:, t + 1]
        moved = move_pointer(pointer, actions[:, t])
        changed = after != before
        dragged = (drag(before, pointer, moved) == after) & changed
        kept = [(under == after[:, None]).any(1) & changed for under in stacks]
        offered = [changed, dragged, *kept, dragged | kept[-1]]
        if carry:
            offered.append(dragged | ((carried_stack == after[:, None]).any(1) & changed))
            carried_stack = fold_under(carried_stack, before, after, carried_by_drag(before, after, pointer, moved))
        np.add.at(counts, kinds[:, t], torch.stack([m.sum((1, 2)) for m in offered], 1).numpy())
        stacks, pointer = [fold_under(under, before, after) for under in stacks], moved
    return np.bincount(kinds.ravel(), minlength=len(KINDS)), counts


def rubbed_out(model: GridGRU, frames: torch.Tensor) -> torch.Tensor:
    """The screens (E, T, H, W) as `model` sees them: its colours, the pointer rubbed out and its footprint
    filled from the screen before (on the first, guessed as at boot)."""
    frames = model.to_colors[frames].long()
    E, T, H, W = frames.shape
    pointers = model._locate(frames.flatten(0, 1)).view(E, T, 2)
    seen = frames.clone()
    seen[:, 0] = model.sprite.erase(frames[:, 0], pointers[:, 0])
    for t in range(1, T):
        e, y, x = model.sprite.covered(pointers[:, t], H, W)
        seen[e, t, y, x] = seen[e, t - 1, y, x]
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a desktop recording")
    parser.add_argument("--split", default="all", help="the recording's episodes to read: all, heldout or train")
    parser.add_argument("--horizon", type=int, default=1000, help="steps per episode")
    parser.add_argument("--depths", type=int, nargs="+", default=[1], help="layers of `under` (grid-gru's under_depth)")
    parser.add_argument("--model", help="a grid-gru model (name or directory): the screens as it sees them")
    parser.add_argument("--carry", action="store_true", help="also the deepest stack folded by drag_keeps_under")
    args = parser.parse_args()
    depths = sorted(set(args.depths))
    if depths[0] < 1:
        raise SystemExit(f"--depths: a stack has 1 layer or more, got {depths[0]}")
    data = WindowDataset(args.data, args.horizon, args.split)
    seen_by = load_model(args.model) if args.model else None
    if seen_by is not None and not isinstance(seen_by, GridGRU):
        raise SystemExit(f"--model: {args.model} is a {seen_by.config.arch} model; only grid-gru rubs the pointer out")
    steps, counts = colour_sources(data, args.horizon, depths, seen_by, args.carry)

    print(f"{len(data.episodes)} episodes x {args.horizon} steps of {args.data}: of the pixels each kind of step "
          f"changes, the share whose new colour an exact source offers")  # fmt: skip
    unders = [f"under {depth}" if len(depths) > 1 else "under" for depth in depths]
    eithers = ["either", "either, drag keeps"] if args.carry else ["either"]
    print(" | ".join([f"{'action':>17}", f"{'steps':>6}", f"{'changed/step':>12}", f"{'drag':>5}"]
                     + [f"{name:>8}" for name in unders] + eithers))  # fmt: skip
    rules = ["-" * 17, "-" * 6, "-" * 12, "-" * 5] + ["-" * 8] * len(depths) + ["-" * len(e) for e in eithers]
    print("-+-".join(rules))
    for k, name in enumerate(KINDS):
        changed, dragged = counts[k, :2]
        if changed:
            shares = [f"{n / changed:>8.3f}" for n in counts[k, 2 : 2 + len(depths)]]
            either = [f"{n / changed:>{len(e)}.3f}" for n, e in zip(counts[k, 2 + len(depths) :], eithers)]
            print(" | ".join([f"{name:>17}", f"{steps[k]:>6}", f"{changed / steps[k]:>12.1f}",
                              f"{dragged / changed:>5.3f}"] + shares + either))  # fmt: skip


if __name__ == "__main__":
    main()
