"""Training speed: time per optimiser step of the shipped recipe, per architecture, on 2 CPU threads.

The shipped `desktop` is what 60 minutes of 2 CPU cores teach, so every millisecond
of a training step is optimiser steps it did not get. This times the recipe's step as
`ncomp train` runs it: a batch of 8 windows of 8 steps (half of them starting just
before an event), each booted on the 128 true screens before it (the history that
`under` needs) and the button as recorded, rolled forward teacher forced with
`repair` 0.5, then the backward pass and AdamW. Each phase is timed apart: reading
the batch, booting on the history, the forward rollout, the backward pass, the
optimiser. seed-gru keeps no screen, so it is timed without a history (it would boot
on each of its screens in turn, for nothing) and without `repair` (it has no screen of
its own to mend). The architectures take turns for several rounds and each reports its
median round, so that a busy neighbour on a shared machine skews all of them alike.
Untrained weights of the default configs (a training step decodes every pixel,
whatever the weights). Run: `python bench/train_speed.py [--data runs/desktop-1000x500]
[--archs grid-gru seed-gru] [--rounds 5]`; without `--data` it first records 40 desktop
episodes of 500 steps into a temporary directory (a few seconds).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import torch

from neuralcomputer.model import ARCHS
from neuralcomputer.recordings import record_episodes
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.training.trainer import build_model
from neuralcomputer.training.windows import find_events, frequent_colors, window_batch

PHASES = ("batch", "boot", "forward", "backward", "optimiser")


def time_step(model, optimizer, dataset, events, repair: float, index: int, args) -> dict[str, float]:
    """Seconds of each phase of one optimiser step on batch `index` of epoch 0."""
    torch.manual_seed(index)  # the same repair blocks for every architecture
    clock = [time.perf_counter()]
    boot, held, actions, frames = window_batch(
        dataset, args.batch, 0, 0, index, 0, 1, torch.device("cpu"), events, args.event_share
    )
    clock.append(time.perf_counter())
    state = model.boot(boot, held)
    clock.append(time.perf_counter())
    loss, _ = model(state, actions, frames, teacher_forced=True, repair=repair)
    clock.append(time.perf_counter())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    clock.append(time.perf_counter())
    optimizer.step()
    clock.append(time.perf_counter())
    return {phase: end - start for phase, start, end in zip(PHASES, clock, clock[1:])}


def keeps_screen(model) -> bool:
    """Whether the model keeps a screen in its state (grid-gru), which a history and `repair` are for."""
    blank = torch.zeros(1, model.config.height, model.config.width, dtype=torch.uint8)
    return "screen" in model.boot(blank)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a recording directory (its training split is read); default: record one")
    trainable = [arch for arch in ARCHS if arch != "copy-last-frame"]
    parser.add_argument("--archs", nargs="+", default=["grid-gru", "seed-gru"], choices=trainable)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=6, help="optimiser steps per round (after one warm-up step)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--sequence", type=int, default=8)
    parser.add_argument("--history", type=int, default=128)
    parser.add_argument("--repair", type=float, default=0.5)
    parser.add_argument("--event-share", type=float, default=0.5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.data is None:
        with tempfile.TemporaryDirectory() as scratch:
            record_episodes(scratch, "desktop", episodes=40, steps=500, progress=False)
            run(scratch, args)
    else:
        run(args.data, args)


def run(root: str, args: argparse.Namespace) -> None:
    """Time the architectures on the recording at `root` and print the table."""
    datasets = {h: WindowDataset(root, args.sequence, "train", history=h, memory=4 * 2**30) for h in {0, args.history}}
    colors = frequent_colors(datasets[0], 64)
    models = {arch: build_model(arch, {"colors": colors}, datasets[0].recording.info) for arch in args.archs}
    data = {}  # per architecture: its windows, where the events are in them, and its repair share
    for arch, model in models.items():
        screen = keeps_screen(model)
        dataset = datasets[args.history if screen else 0]
        data[arch] = dataset, find_events(dataset, 0.02) if args.event_share else None, args.repair if screen else 0.0
    optimizers = {arch: torch.optim.AdamW(model.parameters(), lr=1e-4) for arch, model in models.items()}
    rounds: dict[str, list[dict[str, float]]] = {arch: [] for arch in args.archs}
    for arch, model in models.items():  # warm-up
        time_step(model, optimizers[arch], *data[arch], 0, args)
    for r in range(args.rounds):
        indices = range(1 + r * args.steps, 1 + (r + 1) * args.steps)
        for arch, model in models.items():
            steps = [time_step(model, optimizers[arch], *data[arch], i, args) for i in indices]
            rounds[arch].append({phase: statistics.mean(s[phase] for s in steps) for phase in PHASES})
    frames = args.batch * args.sequence
    print(
        f"ms per optimiser step: {args.batch} windows x {args.sequence} steps, history {args.history}, teacher "
        f"forced, repair {args.repair}; {args.threads} CPU threads, torch {torch.__version__}; "
        f"median of {args.rounds} rounds"
    )
    print(f"{'arch':>9} | " + " | ".join(f"{p:>9}" for p in PHASES) + f" | {'total':>7} | {'frames/s':>8}")
    print(f"{'-' * 9}-+-" + "-+-".join("-" * 9 for _ in PHASES) + f"-+-{'-' * 7}-+-{'-' * 8}")
    for arch in args.archs:
        total = statistics.median(sum(r.values()) for r in rounds[arch])
        phases = " | ".join(f"{1000 * statistics.median(r[p] for r in rounds[arch]):>9.1f}" for p in PHASES)
        print(f"{arch:>9} | {phases} | {1000 * total:>7.1f} | {frames / total:>8.1f}")


if __name__ == "__main__":
    main()
