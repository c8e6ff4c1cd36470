"""Model speed: closed-loop steps per second at batch 1, 128x128, on 2 CPU threads, per architecture.

The real-time target is >= 100 steps/s on a laptop CPU: `boot` once, then `step` in
`torch.inference_mode()`, the screen returned as uint8 each step (what the runtime
does). Untrained weights of the default configs (speed does not depend on training),
driven by random moves and key presses. The architectures take turns for several
rounds and each reports its median round, so that a busy neighbour on a shared machine
skews all of them alike. Run: `python bench/model_speed.py [--threads 2] [--rounds 7]`.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from neuralcomputer.actions import Action, encode_actions
from neuralcomputer.model import ARCHS, NeuralComputer
from neuralcomputer.software import make_software


def build(arch: str) -> NeuralComputer:
    desktop = make_software("desktop")
    config = ARCHS[arch].config_class(software="desktop", palette=desktop.palette.tolist(), pointer_color=desktop.pointer_color)
    return ARCHS[arch](config).eval()


def seconds_per_step(model: NeuralComputer, screens: torch.Tensor, actions: torch.Tensor) -> float:
    """Mean seconds of one `step` over the rows of `actions` (B, T, A), after booting on `screens`."""
    with torch.inference_mode():
        state = model.boot(screens)
        state, _ = model.step(state, actions[:, 0])  # warm-up
        start = time.perf_counter()
        for t in range(actions.shape[1]):
            state, _ = model.step(state, actions[:, t])
        return (time.perf_counter() - start) / actions.shape[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=100, help="steps per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    screens = torch.from_numpy(make_software("desktop").reset(0)).repeat(args.batch, 1, 1)
    generator = torch.Generator().manual_seed(0)
    rows = [Action(mouse=tuple(torch.randint(0, 128, (2,), generator=generator).tolist()), key="a") for _ in range(args.steps)]
    actions = torch.from_numpy(encode_actions(rows).astype("int64"))[None].repeat(args.batch, 1, 1)
    models = {arch: build(arch) for arch in ARCHS}
    rounds: dict[str, list[float]] = {arch: [] for arch in ARCHS}
    for _ in range(args.rounds):
        for arch, model in models.items():
            rounds[arch].append(seconds_per_step(model, screens, actions))
    print(f"closed-loop steps/s at batch {args.batch}, 128x128 desktop, {args.threads} CPU threads, torch {torch.__version__}")
    print(f"{'arch':>16} | {'params':>10} | {'steps/s':>8} | {'ms/step':>7}")
    print(f"{'-' * 16}-+-{'-' * 10}-+-{'-' * 8}-+-{'-' * 7}")
    for arch, model in models.items():
        median = statistics.median(rounds[arch])
        params = sum(p.numel() for p in model.parameters())
        print(f"{arch:>16} | {params:>10,} | {1 / median:>8.1f} | {1000 * median:>7.2f}")


if __name__ == "__main__":
    main()
