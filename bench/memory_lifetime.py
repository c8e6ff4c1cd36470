"""Memory lifetime: closed-loop fidelity of one trained grid-gru with its memory cleared every N steps.

Training windows are a few steps long and start from an empty memory, so a model run
for hundreds of steps has a memory in states training never showed it. `memory_lifetime`
(grid-gru's config) clears the memory every N steps and keeps the registers (screen,
`under`, grip, pointer, button). This evaluates the same weights with each lifetime, as
`ncomp eval` does, on the held-out split of a training recording (choose N there, not on
the episodes the model is finally measured on), and prints PSNR / exact pixels / text
accuracy at each horizon.

A second table says why: teacher forced over the same whole episodes (the true screen
after every step, so that only the memory can drift), the share of the pixels each press
changes that the model draws, by what the press changes (a list row's highlight: a band
at most 12 px tall and 40 px wide or more; 3000 pixels or more; other changes of 100 or
more), with the memory kept and with it cleared every `--teacher-forced-lifetime` steps.

Run: `python bench/memory_lifetime.py --model desktop --data runs/desktop-1000x500
[--lifetimes 0 16 32 64 128] [--episodes 32] [--horizon 500]`; on a recording made only to
evaluate, `--split all`.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from neuralcomputer.evaluation import evaluate
from neuralcomputer.model import load_model
from neuralcomputer.recordings import HELDOUT_FRACTION, Episode, Recording, split_episodes

PRESS_KINDS = ("a list row's highlight", "3000 px or more", "other")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="desktop", help="a grid-gru: shipped name or checkpoint directory")
    parser.add_argument("--data", required=True, help="a training recording: its held-out split is used")
    parser.add_argument("--lifetimes", type=int, nargs="+", default=[0, 16, 32, 64, 128], help="0 = never cleared")
    parser.add_argument("--split", default="heldout", choices=("heldout", "all"), help="all: an eval recording")
    parser.add_argument("--episodes", type=int, default=32, help="the first this many episodes of the split")
    parser.add_argument("--horizon", type=int, default=500)
    parser.add_argument("--teacher-forced-lifetime", type=int, default=8, help="for the second table")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    recording = Recording(args.data)
    episodes = split_episodes(recording.info, args.split, HELDOUT_FRACTION, args.data)[: args.episodes]
    rows = []
    for lifetime in args.lifetimes:
        model = load_model(args.model)
        if not hasattr(model.config, "memory_lifetime"):
            raise SystemExit(f"{args.model}: a {model.config.arch} model has no memory lifetime")
        model.config.memory_lifetime = lifetime
        result = evaluate(model, args.data, args.horizon, baselines={}, episodes=episodes, progress=False)
        rows.append((lifetime, result["at"], result["psnr_by_step"]))
    horizons = [h for h in rows[0][1] if h != "1"]
    print(f"{args.model} on {len(episodes)} {args.split} episodes of {args.data}, closed loop, {args.horizon} steps")
    last = f"PSNR 1..{args.horizon}"
    print(f"{'lifetime':>8} | " + " | ".join(f"{'steps 1..' + h:>24}" for h in horizons) + f" | {last:>14}")
    print(f"{'-' * 8}-+-" + "-+-".join("-" * 24 for _ in horizons) + f"-+-{'-' * 14}")
    for lifetime, at, psnr_by_step in rows:
        cells = [f"{m['psnr']:6.2f} / {m['exact_pixel_rate']:.4f} / {m['text_accuracy'] or 0:.3f}" for m in at.values()]
        cells = [c for h, c in zip(at, cells) if h != "1"]
        mean = sum(psnr_by_step) / len(psnr_by_step)
        print(f"{lifetime or 'never':>8} | " + " | ".join(f"{c:>24}" for c in cells) + f" | {mean:>14.2f}")
    print("each cell: PSNR dB / exact pixels / text accuracy, means over the steps")
    chosen = [recording.episode(i) for i in episodes]
    short = args.teacher_forced_lifetime
    drawn = {lifetime: presses_drawn(args.model, lifetime, chosen, args.horizon) for lifetime in (0, short)}
    print(f"\nteacher forced over the same {args.horizon} steps: the share of each press's changed pixels drawn")
    cleared_every = f"cleared every {short}"
    print(f"{'press changes':>22} | {'presses':>7} | {'pixels each':>11} | {'memory kept':>11} | {cleared_every:>16}")
    print(f"{'-' * 22}-+-{'-' * 7}-+-{'-' * 11}-+-{'-' * 11}-+-{'-' * 16}")
    for name in PRESS_KINDS:
        (presses, pixels, kept), (_, _, cleared) = drawn[0][name], drawn[short][name]
        shares = f"{kept / max(pixels, 1):>11.3f} | {cleared / max(pixels, 1):>16.3f}"
        print(f"{name:>22} | {presses:>7} | {pixels / max(presses, 1):>11.0f} | {shares}")


def press_kind(changed_HW: np.ndarray) -> str | None:
    """What a press changed, by the shape of the change; None below 100 pixels."""
    if changed_HW.sum() < 100:
        return None
    ys, xs = np.nonzero(changed_HW)
    if ys.max() - ys.min() < 12 and xs.max() - xs.min() >= 39:
        return PRESS_KINDS[0]
    return PRESS_KINDS[1] if changed_HW.sum() >= 3000 else PRESS_KINDS[2]


@torch.inference_mode()
def presses_drawn(name: str, lifetime: int, episodes: list[Episode], horizon: int) -> dict[str, list[int]]:
    """Per press kind: [presses, pixels changed, of them drawn right], teacher forced through whole episodes."""
    model = load_model(name).eval()
    model.config.memory_lifetime = lifetime
    totals = {kind: [0, 0, 0] for kind in PRESS_KINDS}
    frames_BTHW = np.stack([e.frames[: horizon + 1] for e in episodes])
    actions_BTA = torch.from_numpy(np.stack([e.actions[:horizon] for e in episodes]).astype(np.int64))
    state = model.boot(torch.from_numpy(frames_BTHW[:, 0]))
    for t in range(horizon):
        state, screens_BHW = model.step(state, actions_BTA[:, t])
        before_BHW, real_BHW = frames_BTHW[:, t], frames_BTHW[:, t + 1]
        for b in np.nonzero(actions_BTA[:, t, 2].numpy() == 1)[0]:
            changed_HW = before_BHW[b] != real_BHW[b]
            kind = press_kind(changed_HW)
            if kind is not None:
                right = int((screens_BHW[b].numpy()[changed_HW] == real_BHW[b][changed_HW]).sum())
                totals[kind] = [n + d for n, d in zip(totals[kind], (1, int(changed_HW.sum()), right))]
        state = model.observe(state, torch.from_numpy(real_BHW))
    return totals


if __name__ == "__main__":
    main()
