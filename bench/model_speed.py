"""Model speed: closed-loop steps per second at batch 1, 128x128, on 2 CPU threads, per architecture.

The real-time target is >= 100 steps/s on a laptop CPU: `boot` once, then `step` in
`torch.inference_mode()`, the screen returned as uint8 each step (what the runtime
does). Untrained weights of the default configs, driven by random moves and key
presses (an untrained grid-gru keeps every pixel, the cheapest case of its `step`, which
decodes colours only where a pixel may change; `--models` times trained ones). The
architectures take turns for several rounds and each reports its median round, so that a
busy neighbour on a shared machine skews all of them alike. Beside the wall clock, the
CPU time of the whole process per step (all threads, spinning ones too). Run:
`python bench/model_speed.py [--threads 2] [--rounds 7]`.

`--models [NAME ...]` times shipped models (all of them when no name is given) or
checkpoint directories instead, each on its own screen size and colours, booted on a
blank screen and driven by random actions; with `--data DIR`, booted on the first screen
of the recording's first episode and driven by its actions (`--steps` of them per round,
the first ones: where windows open), which is where a trained grid-gru decodes the most.

`--compile` also times each model with its step compiled (`NeuralComputer.compile_step`),
a copy of the same weights taking turns with the eager one; compiling happens in the
first round's warm-up step and is not timed. Compare compiled with compiled: both
architectures gain from it.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch

from neuralcomputer.actions import Action, encode_actions
from neuralcomputer.model import ARCHS, NeuralComputer, list_models, load_model
from neuralcomputer.recordings import Recording
from neuralcomputer.software import make_software


def build(arch: str) -> NeuralComputer:
    desktop = make_software("desktop")
    config = ARCHS[arch].config_class(software="desktop", palette=desktop.palette.tolist(), pointer_color=desktop.pointer_color)
    return ARCHS[arch](config).eval()


def random_actions(width: int, height: int, steps: int, batch: int) -> torch.Tensor:
    """(batch, steps, A) int64: a random move and a key press every step."""
    generator = torch.Generator().manual_seed(0)
    xs, ys = torch.randint(0, width, (steps,), generator=generator), torch.randint(0, height, (steps,), generator=generator)
    rows = [Action(mouse=(int(x), int(y)), key="a") for x, y in zip(xs, ys)]
    return torch.from_numpy(encode_actions(rows).astype("int64"))[None].repeat(batch, 1, 1)


def seconds_per_step(model: NeuralComputer, screens: torch.Tensor, actions: torch.Tensor) -> tuple[float, float]:
    """Mean seconds of one `step` over the rows of `actions` (B, T, A), after booting on `screens`: wall-clock,
    and CPU time of the whole process (all its threads)."""
    with torch.inference_mode():
        state = model.boot(screens)
        state, _ = model.step(state, actions[:, 0])  # warm-up
        start, cpu_start = time.perf_counter(), time.process_time()
        for t in range(actions.shape[1]):
            state, _ = model.step(state, actions[:, t])
        return (time.perf_counter() - start) / actions.shape[1], (time.process_time() - cpu_start) / actions.shape[1]


def with_compiled(models: dict[str, NeuralComputer], compile: bool) -> dict[tuple[str, str], NeuralComputer]:
    """Each model keyed (name, "eager"), and with `compile` also a copy of it (name, "compiled")."""
    variants = {}
    for name, model in models.items():
        variants[name, "eager"] = model
        if compile:
            variants[name, "compiled"] = copy.deepcopy(model).compile_step()
    return variants


def medians(rounds: list[tuple[float, float]]) -> tuple[float, float]:
    """The median wall-clock and the median CPU seconds per step over the rounds."""
    return statistics.median(wall for wall, _ in rounds), statistics.median(cpu for _, cpu in rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=100, help="steps per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--models", nargs="*", metavar="NAME", help="time shipped models (default: all) instead")
    parser.add_argument("--data", help="with --models: drive them with this recording's first episode")
    parser.add_argument("--compile", action="store_true", help="also time each model with its step compiled")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.models is not None:
        time_models(args.models or [row["name"] for row in list_models()], args)
        return
    screens = torch.from_numpy(make_software("desktop").reset(0)).repeat(args.batch, 1, 1)
    actions = random_actions(128, 128, args.steps, args.batch)
    models = with_compiled({arch: build(arch) for arch in ARCHS}, args.compile)
    rounds: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in models}
    for _ in range(args.rounds):
        for key, model in models.items():
            rounds[key].append(seconds_per_step(model, screens, actions))
    print(f"closed-loop steps/s at batch {args.batch}, 128x128 desktop, {args.threads} CPU threads, torch {torch.__version__}")
    print(f"{'arch':>16} | {'step':>8} | {'params':>10} | {'steps/s':>8} | {'ms/step':>7} | {'CPU ms/step':>11}")
    print(f"{'-' * 16}-+-{'-' * 8}-+-{'-' * 10}-+-{'-' * 8}-+-{'-' * 7}-+-{'-' * 11}")
    for (arch, mode), model in models.items():
        wall, cpu = medians(rounds[arch, mode])
        params = sum(p.numel() for p in model.parameters())
        print(f"{arch:>16} | {mode:>8} | {params:>10,} | {1 / wall:>8.1f} | {1000 * wall:>7.2f} | {1000 * cpu:>11.2f}")


def time_models(names: list[str], args: argparse.Namespace) -> None:
    """The table for shipped models or checkpoints, each booted on a blank screen of its own size."""
    models = with_compiled({name: load_model(name).eval() for name in names}, args.compile)
    rounds: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in models}
    drives = {name: drive(models[name, "eager"].config, args) for name in names}
    for _ in range(args.rounds):
        for (name, mode), model in models.items():
            rounds[name, mode].append(seconds_per_step(model, *drives[name]))
    print(f"closed-loop steps/s at batch {args.batch}, {args.threads} CPU threads, torch {torch.__version__}")
    print(
        f"{'model':>18} | {'arch':>9} | {'step':>8} | {'screen':>7} | {'colours':>7} | {'params':>9} | {'steps/s':>8} "
        f"| {'ms/step':>7} | {'CPU ms/step':>11}"
    )
    print(f"{'-' * 18}-+-{'-' * 9}-+-{'-' * 8}-+-{'-' * 7}-+-{'-' * 7}-+-{'-' * 9}-+-{'-' * 8}-+-{'-' * 7}-+-{'-' * 11}")
    for (name, mode), model in models.items():
        c, (wall, cpu) = model.config, medians(rounds[name, mode])
        params = sum(p.numel() for p in model.parameters())
        print(
            f"{name:>18} | {c.arch:>9} | {mode:>8} | {f'{c.width}x{c.height}':>7} | {model.num_colors:>7} | {params:>9,} "
            f"| {1 / wall:>8.1f} | {1000 * wall:>7.2f} | {1000 * cpu:>11.2f}"
        )


def drive(config, args: argparse.Namespace) -> tuple[torch.Tensor, torch.Tensor]:
    """Boot screens (B, H, W) and actions (B, steps, A) for a model: a blank screen and random actions, or
    the first episode of `args.data`."""
    if args.data is None:
        screens = torch.zeros(args.batch, config.height, config.width, dtype=torch.uint8)
        return screens, random_actions(config.width, config.height, args.steps, args.batch)
    episode = Recording(args.data).episode(0)
    if episode.steps < args.steps:
        raise SystemExit(f"{args.data}: its first episode has {episode.steps} steps, fewer than --steps {args.steps}")
    screens = torch.from_numpy(episode.frames[0]).repeat(args.batch, 1, 1)
    return screens, torch.from_numpy(episode.actions[: args.steps].astype("int64"))[None].repeat(args.batch, 1, 1)


if __name__ == "__main__":
    main()
