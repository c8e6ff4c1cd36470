"""Event learning: how fast a design learns what the desktop's events draw, in a few CPU minutes.

Long closed-loop runs are the real test, but they take an hour and their training
evaluation is noisy. This probe isolates the skill they need most: drawing the
screen after an *event* (a step that changes at least `--event-pixels` of the
screen: a window opens, closes or comes to the front, a folder lists). Each variant
trains from the same seed, teacher forced, on short windows that start two steps
before an event (`find_events`), and every `--every` steps it is scored on held-out
events: the share of the pixels the event changed that it draws exactly right
("changed right"), and the share of the unchanged pixels of those windows it gets
wrong ("unchanged wrong", what closed loop would accumulate as noise). With
`--history N` each window's model first watches the N true screens before it, and
"revealed right" scores the changed pixels that take back the colour they had before
their last change in what was watched (a window closed or lowered: object permanence),
away from the pointer. Run: `python bench/event_learning.py --data runs/desktop-200x500
[--steps 400] [--history 128] [--variants '{"under": false}' '{"under": true}']`.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator

import numpy as np
import torch

from neuralcomputer.actions import button_held
from neuralcomputer.model import NeuralComputer
from neuralcomputer.model.grid_gru import fold_under
from neuralcomputer.model.pointer import locate_pointer
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.training.trainer import build_model
from neuralcomputer.training.windows import collate, find_events

CPU = torch.device("cpu")


def build(data: WindowDataset, fields: dict) -> NeuralComputer:
    """A fresh grid-gru for the recording, the same for every variant but for `fields`."""
    torch.manual_seed(0)
    return build_model("grid-gru", fields, data.recording.info)


@torch.no_grad()
def one_step(model: NeuralComputer, data: WindowDataset, events: np.ndarray) -> Iterator[dict[str, torch.Tensor]]:
    """The model's one-step predictions from the true past over the windows `events`: for each step its
    "action" (1, A), the true screens "before" and "after" it, the one "predicted", the "under" layer of the
    true screens before it (see `fold`) and "held", whether the button is down as the step starts."""
    for episode, start in events:
        boot, held, actions, frames = collate([data.window_at(int(episode), int(start))], CPU)
        history = boot if boot.dim() == 4 else boot[:, None]
        under = before = history[:, 0]
        for screen in history[:, 1:].unbind(1):
            under, before = fold(under, before, screen), screen
        state = model.boot(boot, held)
        for t in range(actions.shape[1]):
            state, screen = model.step(state, actions[:, t])
            yield {"action": actions[:, t], "before": before, "after": frames[:, t], "predicted": screen,
                   "under": under, "held": held}  # fmt: skip
            held = torch.tensor([button_held(actions[0, t : t + 1, 2].numpy(), bool(held))])
            under = fold(under, before, frames[:, t])
            state, before = model.observe(state, frames[:, t]), frames[:, t]


def score(model: NeuralComputer, data: WindowDataset, events: np.ndarray) -> tuple[float, float, float]:
    """(changed right, unchanged wrong, revealed right) of one-step predictions from the true past, over the
    windows `events`. Revealed: changed pixels that take back the colour they had before their last change
    (a window closed or lowered), as far as the watched history shows, away from the pointer."""
    right = changed = wrong = unchanged = revealed = revealed_right = 0  # pixel counts
    color = data.recording.info.pointer_color
    for step in one_step(model, data, events):
        before, after, predicted = step["before"], step["after"], step["predicted"]
        moved = after != before
        right += int((predicted == after)[moved].sum())
        wrong += int((predicted != after)[~moved].sum())
        changed, unchanged = changed + int(moved.sum()), unchanged + int((~moved).sum())
        back = moved & (after == step["under"]) & ~near_pointer(before, color) & ~near_pointer(after, color)
        revealed += int(back.sum())
        revealed_right += int((predicted == after)[back].sum())
    return right / max(changed, 1), wrong / max(unchanged, 1), revealed_right / max(revealed, 1)


def fold(under: torch.Tensor, before: torch.Tensor, after: torch.Tensor) -> torch.Tensor:
    """Each pixel's colour before its last change, once the screen went from `before` to `after`: grid-gru's
    one-layer `under` rule, kept here on the true screens so that every variant is scored on the same pixels."""
    return fold_under(under[:, None], before, after)[:, 0]


def near_pointer(screen: torch.Tensor, color: int | None, reach: int = 16) -> torch.Tensor:
    """(1, H, W): pixels within `reach` of the pointer (drawn in `color`) on a screen; none if it shows none."""
    ((x, y),) = locate_pointer(screen, color).tolist()
    ys, xs = torch.arange(screen.shape[1])[:, None], torch.arange(screen.shape[2])[None]
    return (((ys - y).abs() < reach) & ((xs - x).abs() < reach) & (x >= 0))[None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a desktop recording (ncomp record desktop ...)")
    parser.add_argument("--variants", nargs="+", default=['{"place": false}', '{"place": true}'],
                        help="grid-gru config fields as JSON, one variant each")  # fmt: skip
    parser.add_argument("--steps", type=int, default=400, help="optimiser steps per variant")
    parser.add_argument("--every", type=int, default=100, help="steps between scores")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--window", type=int, default=7, help="steps per training window")
    parser.add_argument("--event-pixels", type=float, default=0.05)
    parser.add_argument("--heldout-events", type=int, default=60, help="held-out event windows scored")
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--history", type=int, default=0, help="true screens each window's model watches first")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train = WindowDataset(args.data, args.window, "train", history=args.history)
    heldout = WindowDataset(args.data, args.window, "heldout", history=args.history)
    # each event's window: (episode, start)
    train_events, heldout_events = (find_events(d, args.event_pixels)[:, :2] for d in (train, heldout))
    heldout_events = heldout_events[:: max(1, len(heldout_events) // args.heldout_events)]
    print(f"{len(train_events)} training and {len(heldout_events)} held-out event windows of {args.window} steps "
          f"(after {args.history} watched), teacher forced, batch {args.batch}, lr {args.lr}, "
          f"{args.threads} CPU thread(s)")  # fmt: skip
    print(f"{'variant':>40} | {'step':>5} | {'changed right':>13} | {'unchanged wrong':>15} | {'revealed right':>14} "
          f"| {'minutes':>7}")  # fmt: skip
    print(f"{'-' * 40}-+-{'-' * 5}-+-{'-' * 13}-+-{'-' * 15}-+-{'-' * 14}-+-{'-' * 7}")
    for variant in args.variants:
        model = build(train, json.loads(variant))
        optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
        draws, start = np.random.default_rng(0), time.perf_counter()
        for step in range(1, args.steps + 1):
            windows = [train.window_at(int(e), int(s)) for e, s in train_events[draws.choice(len(train_events), args.batch)]]
            boot, held, actions, frames = collate(windows, CPU)
            loss, _ = model(model.boot(boot, held), actions, frames, teacher_forced=True)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            if step % args.every == 0:
                right, wrong, back = score(model, heldout, heldout_events)
                minutes = (time.perf_counter() - start) / 60
                print(f"{variant:>40} | {step:>5} | {right:>13.3f} | {wrong:>15.5f} | {back:>14.3f} | {minutes:>7.1f}",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
