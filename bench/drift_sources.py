"""Drift sources: which steps' mistakes make up a model's closed-loop error, by the action of the step.

`ncomp eval` says how far a model drifts over 1000 steps; `event_misses.py` says which
events it fails to draw one step ahead from the true past. Closed loop, the two differ:
a mistake stays on the screen until the model mends it, and a drag moves a window the
model drew wrong. This runs the model closed loop on held-out episodes (booted from the
first screen, then actions only, as `ncomp eval` does), dates every wrong pixel to the
step where it last went wrong, and groups those steps by their action, as
`event_misses.py` does (a press by what it did to the windows, a release, Enter, another
key, a move with the button held or not).

It prints, at steps 100, 300 and 1000 (up to `--horizon`), the share of the squared
error (what PSNR measures) born at each kind of step; then per kind, the pixels each
step made wrong where the real screen changed (a change missed or drawn wrong) and where
it did not (spurious).

Run: `python bench/drift_sources.py --model desktop --data runs/desktop-heldout [--horizon 300]`.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from event_misses import KINDS, kind, press_effects

from neuralcomputer.actions import button_held
from neuralcomputer.model import load_model
from neuralcomputer.recordings.dataset import WindowDataset

MARKS = (100, 300, 1000)


@torch.inference_mode()
def drift_sources(model, data: WindowDataset, horizon: int) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """({mark: squared error at that step, per kind of the step each wrong pixel was born}, per kind: [steps,
    pixels made wrong where the screen changed, pixels made wrong where it did not])."""
    palette = torch.tensor(model.config.palette, dtype=torch.float32)
    frames, actions = whole_episodes(data, horizon)
    E, _, H, W = frames.shape
    kinds = step_kinds(data, actions)
    born = {mark: np.zeros(len(KINDS)) for mark in MARKS if mark <= horizon}
    made = np.zeros((len(KINDS), 3), np.int64)
    birth = torch.zeros(E, H, W, dtype=torch.long)  # the step each pixel last went wrong
    wrong = torch.zeros(E, H, W, dtype=torch.bool)
    state = model.boot(frames[:, 0].to(torch.uint8))
    for t in range(horizon):
        state, screens = model.step(state, actions[:, t])
        real, before = frames[:, t + 1], frames[:, t]
        now_wrong = screens.long() != real
        new = now_wrong & ~wrong
        birth = torch.where(new, t, birth)
        for e in range(E):
            changed = int((new[e] & (real[e] != before[e])).sum())
            made[kinds[e, t]] += (1, changed, int(new[e].sum()) - changed)
        wrong = now_wrong
        if t + 1 in born:
            error = ((palette[screens.long()] - palette[real]) ** 2).sum(-1)
            step_kind = torch.from_numpy(kinds).gather(1, birth.flatten(1)).view(E, H, W)
            born[t + 1] += np.bincount(step_kind[wrong].numpy(), error[wrong].numpy(), len(KINDS))
    return born, made


def whole_episodes(data: WindowDataset, steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """`data`'s episodes, their first `steps` steps: the screens (E, steps + 1, H, W) as colour indices (long),
    and the actions (E, steps, A)."""
    episodes = [data.episode(index) for index in data.episodes]
    frames = torch.from_numpy(np.stack([episode.frames[: steps + 1] for episode in episodes])).long()
    actions = torch.from_numpy(np.stack([episode.actions[:steps] for episode in episodes]).astype(np.int64))
    return frames, actions


def step_kinds(data: WindowDataset, actions: torch.Tensor) -> np.ndarray:
    """(episodes, steps): the index in `KINDS` of each step's action (actions (E, T, A) of `data`'s episodes)."""
    effects, kinds = press_effects(data), np.zeros(actions.shape[:2], np.int64)
    for e, index in enumerate(data.episodes):
        buttons = actions[e, :, 2].numpy()
        for t in range(actions.shape[1]):
            kinds[e, t] = KINDS.index(kind(actions[e, t], button_held(buttons[:t]), effects[index][t]))
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="desktop", help="a shipped model's name or a checkpoint directory")
    parser.add_argument("--data", required=True, help="a desktop recording of held-out episodes")
    parser.add_argument("--split", default="all", help="the recording's episodes to run: all, heldout or train")
    parser.add_argument("--horizon", type=int, default=300, help="closed-loop steps per episode")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = load_model(args.model).eval()
    data = WindowDataset(args.data, args.horizon, args.split)
    born, made = drift_sources(model, data, args.horizon)

    print(f"{args.model}, closed loop on {len(data.episodes)} episodes of {args.data}: the share of the squared "
          f"error at each step born at each kind of step")  # fmt: skip
    print(f"{'action':>17} | " + " | ".join(f"{'@' + str(mark):>6}" for mark in born))
    print(f"{'-' * 17}-+-" + "-+-".join("-" * 6 for _ in born))
    for k, name in enumerate(KINDS):
        print(f"{name:>17} | " + " | ".join(f"{error[k] / error.sum():>6.3f}" for error in born.values()))

    print(f"\npixels each step made wrong, over steps 1..{args.horizon}")
    print(f"{'action':>17} | {'steps':>6} | {'where it changed':>16} | {'where it did not':>16}")
    print(f"{'-' * 17}-+-{'-' * 6}-+-{'-' * 16}-+-{'-' * 16}")
    for k, name in enumerate(KINDS):
        steps, changed, unchanged = made[k]
        if steps:
            print(f"{name:>17} | {steps:>6} | {changed / steps:>16.1f} | {unchanged / steps:>16.1f}")


if __name__ == "__main__":
    main()
