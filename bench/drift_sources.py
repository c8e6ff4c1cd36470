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
it did not (spurious). For a model that keeps its screen (grid-gru), the same two tables
by what gave each wrong pixel its colour at its birth: the model kept the colour it had
(where the real screen changed, a change missed), took the colour the pointer's move
drags onto it, one of `under`'s, or a new colour (decoded, or a picture's).

Run: `python bench/drift_sources.py --model desktop --data runs/desktop-heldout [--horizon 300]`.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from event_misses import KINDS, kind, press_effects

from neuralcomputer.actions import button_held
from neuralcomputer.model import load_model
from neuralcomputer.model.pointer import drag
from neuralcomputer.recordings.dataset import WindowDataset

MARKS = (100, 300, 1000)
DRAWN = ("kept", "drag", "under", "new colour")  # what gave a pixel its colour at a step


@torch.inference_mode()
def drift_sources(model, data: WindowDataset, horizon: int) -> tuple[dict, np.ndarray, dict, np.ndarray]:
    """({mark: squared error at that step, per kind of the step each wrong pixel was born}, per kind: [steps,
    pixels made wrong where the screen changed, pixels made wrong where it did not], and the same two by what
    drew each wrong pixel at its birth (`DRAWN`; empty for a model that keeps no screen))."""
    palette = torch.tensor(model.config.palette, dtype=torch.float32)
    frames, actions = whole_episodes(data, horizon)
    E, _, H, W = frames.shape
    kinds = step_kinds(data, actions)
    born = {mark: np.zeros(len(KINDS)) for mark in MARKS if mark <= horizon}
    born_by, made = {}, np.zeros((len(KINDS), 3), np.int64)
    made_by = np.zeros((len(DRAWN), 2), np.int64)
    birth = torch.zeros(E, H, W, dtype=torch.long)  # the step each pixel last went wrong
    drawer = torch.zeros(E, H, W, dtype=torch.long)  # and what drew it then
    wrong = torch.zeros(E, H, W, dtype=torch.bool)
    state = model.boot(frames[:, 0].to(torch.uint8))
    for t in range(horizon):
        old = state
        state, screens = model.step(state, actions[:, t])
        real, before = frames[:, t + 1], frames[:, t]
        now_wrong = screens.long() != real
        new = now_wrong & ~wrong
        birth = torch.where(new, t, birth)
        for e in range(E):
            changed = int((new[e] & (real[e] != before[e])).sum())
            made[kinds[e, t]] += (1, changed, int(new[e].sum()) - changed)
        by = drawn_by(model, old, state)
        if by is not None:
            drawer = torch.where(new, by, drawer)
            for d in range(len(DRAWN)):
                changed = int((new & (by == d) & (real != before)).sum())
                made_by[d] += (changed, int((new & (by == d)).sum()) - changed)
        wrong = now_wrong
        if t + 1 in born:
            error = ((palette[screens.long()] - palette[real]) ** 2).sum(-1)
            step_kind = torch.from_numpy(kinds).gather(1, birth.flatten(1)).view(E, H, W)
            born[t + 1] += np.bincount(step_kind[wrong].numpy(), error[wrong].numpy(), len(KINDS))
            if by is not None:
                born_by[t + 1] = np.bincount(drawer[wrong].numpy(), error[wrong].numpy(), len(DRAWN))
    return born, made, born_by, made_by


def drawn_by(model, state: dict, new_state: dict) -> torch.Tensor | None:
    """What gave each pixel of `new_state`'s screen its colour, as an index in `DRAWN` (B, H, W): the colour
    it had, else the one the pointer's move drags onto it, else one of `under`'s, else a new one; None for a
    model whose state keeps no screen."""
    if "screen" not in state:
        return None
    old_BHW, now_BHW = state["screen"], new_state["screen"]
    by_BHW = torch.full(now_BHW.shape, DRAWN.index("new colour"), dtype=torch.long)
    if model.config.under:  # the layers the step chose from: folded up to its screen, as the step does
        by_BHW[(model._fold(state)["under"] == now_BHW[:, None]).any(1)] = DRAWN.index("under")
    if model.config.drag:
        by_BHW[drag(old_BHW, state["pointer"], new_state["pointer"]) == now_BHW] = DRAWN.index("drag")
    by_BHW[now_BHW == old_BHW] = DRAWN.index("kept")
    return by_BHW


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
    born, made, born_by, made_by = drift_sources(model, data, args.horizon)

    print(f"{args.model}, closed loop on {len(data.episodes)} episodes of {args.data}: the share of the squared "
          f"error at each step born at each kind of step")  # fmt: skip
    print_shares("action", KINDS, born)

    print(f"\npixels each step made wrong, over steps 1..{args.horizon}")
    print(f"{'action':>17} | {'steps':>6} | {'where it changed':>16} | {'where it did not':>16}")
    print(f"{'-' * 17}-+-{'-' * 6}-+-{'-' * 16}-+-{'-' * 16}")
    for k, name in enumerate(KINDS):
        steps, changed, unchanged = made[k]
        if steps:
            print(f"{name:>17} | {steps:>6} | {changed / steps:>16.1f} | {unchanged / steps:>16.1f}")
    if not made_by.any():
        return

    print("\nthe share of the squared error at each step, by what drew each wrong pixel when it went wrong")
    print_shares("drawn by", DRAWN, born_by)
    print(f"\npixels made wrong per episode over steps 1..{args.horizon}, by what drew them")
    print(f"{'drawn by':>17} | {'where it changed':>16} | {'where it did not':>16}")
    print(f"{'-' * 17}-+-{'-' * 16}-+-{'-' * 16}")
    for d, name in enumerate(DRAWN):
        changed, unchanged = made_by[d] / len(data.episodes)
        print(f"{name:>17} | {changed:>16.1f} | {unchanged:>16.1f}")


def print_shares(header: str, names: tuple[str, ...], errors: dict[int, np.ndarray]) -> None:
    """A table: a row per name, a column per step, each the name's share of the squared error at that step."""
    print(f"{header:>17} | " + " | ".join(f"{'@' + str(mark):>6}" for mark in errors))
    print(f"{'-' * 17}-+-" + "-+-".join("-" * 6 for _ in errors))
    for row, name in enumerate(names):
        print(f"{name:>17} | " + " | ".join(f"{error[row] / error.sum():>6.3f}" for error in errors.values()))


if __name__ == "__main__":
    main()
