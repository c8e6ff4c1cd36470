"""Event misses: which of the desktop's events a trained model fails to draw, and after which action.

A closed-loop score says how far a model drifts, not why. This looks at the steps that
matter most, one at a time: teacher forced on held-out event windows (the true past
before every step, as in `event_learning.py`), each step whose true screen changes at
least `--event-pixels` of the screen (a window opens, closes, moves, a terminal prints)
is scored on the pixels it changed. Each such pixel is drawn right, left in its old
colour ("not drawn": the model did not believe the event happened) or drawn in another
colour ("wrong colour": it knew something happened, not what). Rows group the events by
the action of their step: a button press, split by what it did to the desktop's windows
(read off the desktop's own state when the episode is replayed: opened, closed,
minimised, restored or raised one, or none of these: inside an app, or nothing), a
release, Enter or another key, a move with the button held (a drag) or without it.
"Mostly not drawn" counts the events of which the model left more than half of the
changed pixels as they were.

The second table is the other way to be wrong: on `--windows` windows drawn at random
from the held-out episodes, the pixels a step changes that the real step left alone
("spurious"), per step, by action (a window dragged by a move without the button is
one), and the steps with more than 50 of them.

Run: `python bench/event_misses.py --model desktop --data runs/desktop-200x500
[--history 128] [--events 400] [--windows 300]`.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
import torch
from event_learning import one_step

from neuralcomputer.actions import KEY_CODES, decode_actions
from neuralcomputer.model import NeuralComputer, load_model
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.software import make_software
from neuralcomputer.training.windows import find_events

EFFECTS = ("opens", "closes", "minimises", "restores", "raises", "other")  # what a press did to the windows
KINDS = (*(f"press: {e}" for e in EFFECTS), "release", "Enter", "other key", "drag", "move", "nothing")


def kind(action: torch.Tensor, held: bool, effect: str | None) -> str:
    """What a step's action (A,) did, as a row of the table; `effect` is what a press did (`press_effects`)."""
    x, _, button, key = action[:4].tolist()
    if button:
        return f"press: {effect}" if button == 1 else "release"
    if key:
        return "Enter" if key == KEY_CODES["Enter"] else "other key"
    if x >= 0:
        return "drag" if held else "move"
    return "nothing"


def press_effects(data: WindowDataset) -> dict[int, list[str | None]]:
    """Per episode of `data`, for each step: what its press did to the windows (one of `EFFECTS`), None if it
    pressed nothing; read off the desktop's state, the episode replayed."""
    desktop, effects = make_software("desktop", data.recording.info.width, data.recording.info.height), {}
    for index in data.episodes:
        episode = data.recording.episode(index)
        desktop.reset(episode.seed)
        effects[index] = []
        for action in decode_actions(episode.actions):
            if action.button != "down":  # only a press can act on the windows: no state to compare
                desktop.step(action)
                effects[index].append(None)
                continue
            before, front = desktop.state(), desktop.topmost()
            desktop.step(action)
            effects[index].append(effect(before, desktop.state(), desktop.topmost() != front))
    return effects


def effect(before: dict, after: dict, raised: bool) -> str:
    """What a step did to the desktop's windows, from its state before and after and whether another window
    came to the front."""
    was, now = ({w["app"]: w["minimized"] for w in state["windows"]} for state in (before, after))
    if now.keys() - was.keys():
        return "opens"
    if was.keys() - now.keys():
        return "closes"
    if any(now[app] and not was[app] for app in now):
        return "minimises"
    if any(was[app] and not now[app] for app in now):
        return "restores"
    return "raises" if raised else "other"


def steps_with_effects(model: NeuralComputer, data: WindowDataset, windows: np.ndarray) -> Iterator[tuple[dict, str]]:
    """`one_step` over `windows`, each step with what its press did (None: no press)."""
    effects = press_effects(data)
    did = (effects[int(e)][int(s) + t] for e, s in windows for t in range(data.window))
    return zip(one_step(model, data, windows), did)


def misses(model: NeuralComputer, data: WindowDataset, events: np.ndarray, threshold: float) -> dict:
    """Per action kind: [events, pixels right, not drawn, wrong colour, events mostly not drawn]."""
    counts = defaultdict(lambda: np.zeros(5, np.int64))
    for step, did in steps_with_effects(model, data, events):
        before, after, predicted = step["before"], step["after"], step["predicted"]
        changed = after != before
        if changed.float().mean() < threshold:
            continue
        right, kept = int((predicted == after)[changed].sum()), int((predicted == before)[changed].sum())
        row = np.array([1, right, kept, int(changed.sum()) - right - kept, kept > int(changed.sum()) / 2])
        counts[kind(step["action"][0], bool(step["held"]), did)] += row
        counts["all"] += row
    return counts


def spurious(model: NeuralComputer, data: WindowDataset, windows: np.ndarray) -> dict:
    """Per action kind: [steps, pixels changed that the real step left alone, steps with more than 50]."""
    counts = defaultdict(lambda: np.zeros(3, np.int64))
    for step, did in steps_with_effects(model, data, windows):
        wrong = int(((step["predicted"] != step["after"]) & (step["after"] == step["before"])).sum())
        counts[kind(step["action"][0], bool(step["held"]), did)] += np.array([1, wrong, wrong > 50])
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="desktop", help="a shipped model's name or a checkpoint directory")
    parser.add_argument("--data", required=True, help="a desktop recording (ncomp record desktop ...)")
    parser.add_argument("--window", type=int, default=7, help="steps per window")
    parser.add_argument("--event-pixels", type=float, default=0.05, help="share of the screen an event changes")
    parser.add_argument("--events", type=int, default=400, help="held-out event windows scored")
    parser.add_argument("--windows", type=int, default=300, help="random held-out windows scored for spurious changes")
    parser.add_argument("--history", type=int, default=0, help="true screens each window's model watches first")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = load_model(args.model).eval()
    heldout = WindowDataset(args.data, args.window, "heldout", history=args.history)
    events = find_events(heldout, args.event_pixels)[:, :2]  # each event's window: (episode, start)
    events = events[:: max(1, len(events) // args.events)]
    starts = [(e, s) for e in heldout.episodes for s in range(heldout.recording.info.episodes[e].steps - args.window)]
    chosen = np.sort(np.random.default_rng(0).choice(len(starts), min(args.windows, len(starts)), replace=False))

    print(f"{args.model} on {len(events)} held-out event windows of {args.window} steps (after {args.history} "
          f"watched), teacher forced: the pixels of steps that change at least {args.event_pixels:.0%} of the screen")
    print(f"{'action':>17} | {'events':>6} | {'right':>6} | {'not drawn':>9} | {'wrong colour':>12} | "
          f"{'mostly not drawn':>16}")  # fmt: skip
    print(f"{'-' * 17}-+-{'-' * 6}-+-{'-' * 6}-+-{'-' * 9}-+-{'-' * 12}-+-{'-' * 16}")
    counts = misses(model, heldout, events, args.event_pixels)
    for name in (*KINDS, "all"):
        if name in counts:
            steps, right, kept, wrong, mostly = counts[name]
            pixels = right + kept + wrong
            print(f"{name:>17} | {steps:>6} | {right / pixels:>6.3f} | {kept / pixels:>9.3f} | "
                  f"{wrong / pixels:>12.3f} | {mostly:>7} ({mostly / steps:>4.0%})")  # fmt: skip

    print(f"\nthe same, on {len(chosen)} random held-out windows: pixels changed that the real step left alone")
    print(f"{'action':>17} | {'steps':>6} | {'spurious per step':>17} | {'steps with > 50':>15}")
    print(f"{'-' * 17}-+-{'-' * 6}-+-{'-' * 17}-+-{'-' * 15}")
    counts = spurious(model, heldout, np.array(starts)[chosen])
    for name in KINDS:
        if name in counts:
            steps, wrong, many = counts[name]
            print(f"{name:>17} | {steps:>6} | {wrong / steps:>17.1f} | {many:>6} ({many / steps:>5.1%})")


if __name__ == "__main__":
    main()
