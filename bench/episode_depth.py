"""Episode depth: how well a model draws one step ahead from the true past, by how far into an episode the step is.

Closed loop, a model's error at step 700 is made of everything it got wrong before; this
takes that away. Each model runs teacher forced (`event_learning.one_step`: it watches
`--history` true screens, then predicts every step of a `--window`-step window from the
true screen before it) over the whole of each episode, and the steps are grouped by
their place in the episode (`--bin` steps a row). Per row: the pixels the real step
changed and the share of them drawn right, the pixels it left alone that the model
changed (spurious), and what the desktop looked like there, read off its own state with
the episode replayed: the windows showing, the minimised ones, and those dragged away
from where they opened. A model trained on episodes of N steps has seen no screen from
after step N; where the rows past N score worse, a model trained on longer episodes
says whether the unseen steps or the desktop they show is what it falls short on (for
the shipped model, the desktop: docs/model.md, "A desktop that fills up").

Run: `python bench/episode_depth.py --models desktop RUN/latest --data runs/desktop-heldout`.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from event_learning import one_step

from neuralcomputer.actions import decode_actions
from neuralcomputer.model import NeuralComputer, load_model
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.software import make_software


def desktop_by_step(data: WindowDataset) -> dict[int, np.ndarray]:
    """Per episode of `data`, for each step's screen before it: (windows showing, minimised, dragged away from
    where they opened), the episode replayed on the desktop."""
    desktop, looks = make_software("desktop", data.recording.info.width, data.recording.info.height), {}
    for index in data.episodes:
        episode = data.recording.episode(index)
        desktop.reset(episode.seed)
        opened_at, rows = {}, []
        for action in decode_actions(episode.actions):
            windows = desktop.state()["windows"]
            for w in windows:
                opened_at.setdefault(w["app"], w["rect"])
            opened_at = {w["app"]: opened_at[w["app"]] for w in windows}  # a window closed opens anew
            minimised = sum(w["minimized"] for w in windows)
            moved = sum(w["rect"] != opened_at[w["app"]] for w in windows)
            rows.append((len(windows) - minimised, minimised, moved))
            desktop.step(action)
        looks[index] = np.array(rows)
    return looks


def by_depth(model: NeuralComputer, data: WindowDataset, width: int) -> dict[int, np.ndarray]:
    """Per row of `width` steps: [steps, pixels changed, drawn right, spurious pixels], teacher forced over every
    window of every episode of `data`."""
    steps = {e: data.recording.info.episodes[e].steps for e in data.episodes}
    windows = np.array([(e, s) for e in data.episodes for s in range(0, steps[e] - data.window + 1, data.window)])
    counts: dict[int, np.ndarray] = {}
    for i, step in enumerate(one_step(model, data, windows)):
        at = int(windows[i // data.window][1]) + i % data.window
        before, after, predicted = step["before"], step["after"], step["predicted"]
        changed = after != before
        right, spurious = (predicted == after)[changed].sum(), (predicted != after)[~changed].sum()
        counts.setdefault(at // width, np.zeros(4, np.int64))
        counts[at // width] += [1, int(changed.sum()), int(right), int(spurious)]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["desktop"], help="shipped models' names or checkpoint dirs")
    parser.add_argument("--data", required=True, help="a desktop recording of long episodes (ncomp record desktop)")
    parser.add_argument("--episodes", choices=("heldout", "all"), default="all",
                        help="all episodes of DIR (default: a recording made with unseen seeds), or its held-out ones")
    parser.add_argument("--bin", type=int, default=250, help="steps per row")
    parser.add_argument("--window", type=int, default=50, help="steps predicted after each watched history")
    parser.add_argument("--history", type=int, default=128, help="true screens watched before each window")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = WindowDataset(args.data, args.window, args.episodes, history=args.history)

    looks = desktop_by_step(data)
    print(f"{len(data.episodes)} episodes of {args.data}, teacher forced in windows of {args.window} steps "
          f"(after {args.history} watched); the desktop before each step, mean per step")
    print(f"{'steps':>11} | {'showing':>7} | {'minimised':>9} | {'dragged away':>12}")
    print(f"{'-' * 11}-+-{'-' * 7}-+-{'-' * 9}-+-{'-' * 12}")
    steps = np.concatenate([np.arange(len(rows)) for rows in looks.values()])
    rows = np.concatenate(list(looks.values()))
    for b in range(steps.max() // args.bin + 1):
        showing, minimised, moved = rows[steps // args.bin == b].mean(0)
        print(f"{b * args.bin:>5}-{(b + 1) * args.bin - 1:<5} | {showing:>7.2f} | {minimised:>9.2f} | {moved:>12.2f}")

    print("\none step ahead from the true past: pixels changed per step, the share drawn right, spurious per step")
    print(f"{'model':>24} | {'steps':>11} | {'changed':>7} | {'right':>6} | {'spurious':>8}")
    print(f"{'-' * 24}-+-{'-' * 11}-+-{'-' * 7}-+-{'-' * 6}-+-{'-' * 8}")
    for name in args.models:
        model = load_model(name).eval()
        for b, (n, changed, right, spurious) in sorted(by_depth(model, data, args.bin).items()):
            print(f"{name[-24:]:>24} | {b * args.bin:>5}-{(b + 1) * args.bin - 1:<5} | {changed / n:>7.1f} | "
                  f"{right / max(changed, 1):>6.3f} | {spurious / n:>8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
