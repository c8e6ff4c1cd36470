"""Typed keys: how well models draw what a key press changes, one step ahead from the true past.

`ncomp eval`'s text accuracy reads all of an app's text back, closed loop, so a model
that never draws a typed character still scores on the text a window opens with, and a
typed character it misses counts only once the line it is on is fully shown. This
looks at the key presses themselves: each model runs along whole held-out episodes,
booted on the first screen and shown the true screen after each step (teacher forced),
and every step is scored on the pixels it changed: the share drawn right ("changed
right"), and the pixels changed per step where the real screen did not change
("spurious"). Rows group the steps by key: a printable character (typed text, or a
digit into the calculator), Backspace, Enter, another named key, and steps without a key
(for comparison). Models take turns step by step in one run.

Run: `python bench/typed_keys.py --models desktop runs/NAME/best --data runs/desktop-heldout [--steps 400]`.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from drift_sources import whole_episodes

from neuralcomputer.actions import KEY_CODES, KEYS, NAMED_KEYS
from neuralcomputer.model import load_model
from neuralcomputer.recordings.dataset import WindowDataset

GROUPS = ("character", "Backspace", "Enter", "other named key", "no key")


def group_of_key(codes: np.ndarray) -> np.ndarray:
    """Key codes -> the index in `GROUPS` of each."""
    groups = np.full(codes.shape, GROUPS.index("other named key"))
    groups[(codes > 0) & (codes <= len(KEYS) - len(NAMED_KEYS))] = GROUPS.index("character")
    groups[codes == KEY_CODES["Backspace"]] = GROUPS.index("Backspace")
    groups[codes == KEY_CODES["Enter"]] = GROUPS.index("Enter")
    groups[codes == 0] = GROUPS.index("no key")
    return groups


@torch.inference_mode()
def typing_scores(models: list, data: WindowDataset, steps: int) -> np.ndarray:
    """(models, groups, 4): steps, changed pixels, changed pixels right, spurious pixels, summed per group."""
    frames, actions = whole_episodes(data, steps)
    frames = frames.to(torch.uint8)
    groups = torch.from_numpy(group_of_key(actions[:, :, 3].numpy()))
    counts = np.zeros((len(models), len(GROUPS), 4), np.int64)
    states = [model.boot(frames[:, 0]) for model in models]
    for t in range(steps):
        before, after = frames[:, t], frames[:, t + 1]
        changed = after != before
        for m, model in enumerate(models):
            state, predicted = model.step(states[m], actions[:, t])
            states[m] = model.observe(state, after)
            right, spurious = (predicted == after) & changed, (predicted != after) & ~changed
            for g in range(len(GROUPS)):
                rows = groups[:, t] == g
                counts[m, g] += (int(rows.sum()), int(changed[rows].sum()), int(right[rows].sum()),
                                 int(spurious[rows].sum()))  # fmt: skip
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["desktop"], help="shipped names or checkpoint directories")
    parser.add_argument("--data", required=True, help="a desktop recording of held-out episodes")
    parser.add_argument("--split", default="all", help="the recording's episodes to run: all, heldout or train")
    parser.add_argument("--steps", type=int, default=400, help="steps per episode")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    models = [load_model(name).eval() for name in args.models]
    data = WindowDataset(args.data, args.steps, args.split)
    counts = typing_scores(models, data, args.steps)

    print(f"one step ahead from the true past, {len(data.episodes)} episodes x {args.steps} steps of {args.data}: "
          f"changed pixels right (changed pixels per step) / spurious pixels per step")  # fmt: skip
    width = max(24, *(len(name) for name in args.models))
    print(f"{'key':>15} | {'steps':>6} | " + " | ".join(f"{name:>{width}}" for name in args.models))
    print(f"{'-' * 15}-+-{'-' * 6}-+-" + "-+-".join("-" * width for _ in args.models))
    for g, name in enumerate(GROUPS):
        steps, changed = counts[0, g, :2]
        if steps:
            cells = [f"{right / max(changed, 1):.3f} ({changed / steps:.1f}) / {spurious / steps:.1f}"
                     for _, _, right, spurious in counts[:, g]]  # fmt: skip
            print(f"{name:>15} | {steps:>6} | " + " | ".join(f"{cell:>{width}}" for cell in cells))


if __name__ == "__main__":
    main()
