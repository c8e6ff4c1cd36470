"""Event learning: how fast a design learns what the desktop's events draw, in a few CPU minutes.

Long closed-loop runs are the real test, but they take an hour and their training
evaluation is noisy. This probe isolates the skill they need most: drawing the
screen after an *event* (a step that changes at least `--event-pixels` of the
screen: a window opens, closes or comes to the front, a folder lists). Each variant
trains from the same seed, teacher forced, on short windows that start two steps
before an event (`find_events`), and every `--every` steps it is scored on held-out
events: the share of the pixels the event changed that it draws exactly right
("changed right"), and the share of the unchanged pixels of those windows it gets
wrong ("unchanged wrong", what closed loop would accumulate as noise). Run:
`python bench/event_learning.py --data runs/desktop-200x500 [--steps 400]
[--variants '{"place": false}' '{"place": true}']`.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from neuralcomputer.model import NeuralComputer
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.training.trainer import build_model
from neuralcomputer.training.windows import collate, find_events

CPU = torch.device("cpu")


def build(data: WindowDataset, fields: dict) -> NeuralComputer:
    """A fresh grid-gru for the recording, the same for every variant but for `fields`."""
    torch.manual_seed(0)
    return build_model("grid-gru", fields, data.recording.info)


@torch.no_grad()
def score(model: NeuralComputer, data: WindowDataset, events: np.ndarray) -> tuple[float, float]:
    """(changed right, unchanged wrong) of one-step predictions from the true past, over the windows `events`."""
    right = changed = wrong = unchanged = 0
    for episode, start in events:
        boot, actions, frames = collate([data.window_at(int(episode), int(start))], CPU)
        state, before = model.boot(boot), boot
        for t in range(actions.shape[1]):
            state, screen = model.step(state, actions[:, t])
            moved = frames[:, t] != before
            right += int((screen == frames[:, t])[moved].sum())
            wrong += int((screen != frames[:, t])[~moved].sum())
            changed, unchanged = changed + int(moved.sum()), unchanged + int((~moved).sum())
            state, before = model.observe(state, frames[:, t]), frames[:, t]
    return right / max(changed, 1), wrong / max(unchanged, 1)


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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train, heldout = WindowDataset(args.data, args.window, "train"), WindowDataset(args.data, args.window, "heldout")
    train_events, heldout_events = find_events(train, args.event_pixels), find_events(heldout, args.event_pixels)
    heldout_events = heldout_events[:: max(1, len(heldout_events) // args.heldout_events)]
    print(f"{len(train_events)} training and {len(heldout_events)} held-out event windows of {args.window} steps, "
          f"teacher forced, batch {args.batch}, lr {args.lr}, {args.threads} CPU thread(s)")  # fmt: skip
    print(f"{'variant':>40} | {'step':>5} | {'changed right':>13} | {'unchanged wrong':>15} | {'minutes':>7}")
    print(f"{'-' * 40}-+-{'-' * 5}-+-{'-' * 13}-+-{'-' * 15}-+-{'-' * 7}")
    for variant in args.variants:
        model = build(train, json.loads(variant))
        optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
        draws, start = np.random.default_rng(0), time.perf_counter()
        for step in range(1, args.steps + 1):
            windows = [train.window_at(int(e), int(s)) for e, s in train_events[draws.choice(len(train_events), args.batch)]]
            boot, actions, frames = collate(windows, CPU)
            loss, _ = model(model.boot(boot), actions, frames, teacher_forced=True)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            if step % args.every == 0:
                right, wrong = score(model, heldout, heldout_events)
                minutes = (time.perf_counter() - start) / 60
                print(f"{variant:>40} | {step:>5} | {right:>13.3f} | {wrong:>15.5f} | {minutes:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
