"""Decoding rules: closed-loop fidelity of one trained grid-gru when its screens are read out otherwise.

A grid-gru's next screen is each pixel's likeliest colour, decided pixel by pixel.
Closed loop, a pixel it is unsure of looks, once drawn, like any other, and the keep
gate copies it on: part of a window it half expected stays for good. Two other read-outs
of the same probabilities, no training, say whether a rule would do better:

- `sure:TAU`: a pixel takes a colour other than the one it shows only where that colour
  is at least TAU likely; otherwise it keeps its colour. No half-sure change is drawn.
- `regions:Q` and `regions-fill:Q`: the pixels in play (the colour each shows is less
  than Q likely) make connected regions (8 neighbours); a region where fewer than half
  of them change keeps its colours, all of them. With `-fill`, a region where half or
  more change changes all of them, each pixel that would have kept its colour taking
  its likeliest other one: a window drawn whole or not at all, never a part.

Each rule reads the probabilities `transition` gives, off the pointer's footprint (there
the model's own screen stays), and the state takes the screen it draws. `likeliest` is the
model's own read-out, `step`'s screens. Run on episodes the model is not finally measured
on, so that a rule is not chosen on the test: `python bench/decoding_rules.py --model desktop
--data runs/desktop-val --rules likeliest sure:0.6 regions:0.9 regions-fill:0.9`, where
`ncomp record desktop --episodes 16 --steps 1000 --seed 2000000 --out runs/desktop-val`
made the recording. A model with `doubt` is refused: its doubt would describe the screen
it would have drawn, not the one a rule draws.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from neuralcomputer.evaluation import evaluate
from neuralcomputer.model import load_model
from neuralcomputer.model.computer import State

Rule = Callable[[Tensor, Tensor], Tensor]  # (log-probs (B, K, H, W), shown colours (B, H, W)) -> colours


def likeliest(logp_BKHW: Tensor, shown_BHW: Tensor) -> Tensor:
    return logp_BKHW.max(1).indices


def sure(tau: float) -> Rule:
    def rule(logp_BKHW: Tensor, shown_BHW: Tensor) -> Tensor:
        top_BHW, colour_BHW = logp_BKHW.max(1)
        return torch.where(top_BHW.exp() >= tau, colour_BHW, shown_BHW)

    return rule


def regions(q: float, fill: bool) -> Rule:
    def rule(logp_BKHW: Tensor, shown_BHW: Tensor) -> Tensor:
        colour_BHW = logp_BKHW.max(1).indices
        in_play_BHW = logp_BKHW.gather(1, shown_BHW[:, None])[:, 0].exp() < q
        changed_BHW = colour_BHW != shown_BHW
        share_BHW = share_in_region(in_play_BHW, changed_BHW & in_play_BHW)
        colour_BHW = torch.where(changed_BHW & in_play_BHW & (share_BHW < 0.5), shown_BHW, colour_BHW)
        if fill:
            other_BHW = logp_BKHW.scatter(1, shown_BHW[:, None], float("-inf")).max(1).indices
            colour_BHW = torch.where(in_play_BHW & ~changed_BHW & (share_BHW >= 0.5), other_BHW, colour_BHW)
        return colour_BHW

    return rule


def share_in_region(mask_BHW: Tensor, marked_BHW: Tensor) -> Tensor:
    """For each pixel of `mask_BHW`, the share of its connected region (8 neighbours) that `marked_BHW` marks.

    Regions are labelled by spreading each pixel's number to its neighbours in the mask
    (a 3x3 max) until nothing changes: every pixel of a region ends with its largest number.
    """
    B, H, W = mask_BHW.shape
    inside_B1HW = mask_BHW[:, None].float()
    labels_B1HW = torch.arange(1, H * W + 1, dtype=torch.float32, device=mask_BHW.device).view(1, 1, H, W)
    labels_B1HW = labels_B1HW * inside_B1HW
    while True:
        spread_B1HW = F.max_pool2d(labels_B1HW, 3, 1, 1) * inside_B1HW
        if torch.equal(spread_B1HW, labels_B1HW):
            break
        labels_B1HW = spread_B1HW
    labels_BP = labels_B1HW.view(B, -1).long()
    sizes_BL = inside_B1HW.new_zeros(B, H * W + 1).scatter_add_(1, labels_BP, mask_BHW.view(B, -1).float())
    marked_BL = inside_B1HW.new_zeros(B, H * W + 1).scatter_add_(1, labels_BP, marked_BHW.view(B, -1).float())
    return (marked_BL / sizes_BL.clamp(min=1)).gather(1, labels_BP).view(B, H, W)


def parse_rule(text: str) -> Rule:
    name, _, value = text.partition(":")
    if name == "likeliest" and not value:
        return likeliest
    if name == "sure" and value:
        return sure(float(value))
    if name in ("regions", "regions-fill") and value:
        return regions(float(value), fill=name == "regions-fill")
    raise SystemExit(f"unknown rule {text!r}: likeliest, sure:TAU, regions:Q or regions-fill:Q")


def decode_with(model, rule: Rule) -> Callable[[State, Tensor], tuple[State, Tensor]]:
    """A `step` for `model` whose screens `rule` reads out of `transition`'s probabilities."""

    def step(state: State, actions: Tensor) -> tuple[State, Tensor]:
        shown_BHW = state["screen"].long()
        new_state, logp_BKHW = model.transition(state, actions)
        B, K, H, W = logp_BKHW.shape
        b_N, y_N, x_N, _, _ = model.sprite.footprint(new_state["pointer"], H, W)
        pointer_BHW = torch.zeros(B, H, W, dtype=torch.bool, device=logp_BKHW.device)
        pointer_BHW[b_N, y_N, x_N] = True
        ruled_BHW = rule(logp_BKHW, shown_BHW)
        screen_BHW = torch.where(pointer_BHW, new_state["screen"].long(), ruled_BHW)
        display_BHW = torch.where(pointer_BHW, logp_BKHW.max(1).indices, ruled_BHW)
        return {**new_state, "screen": screen_BHW.to(torch.uint8)}, model.to_palette[display_BHW]

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="desktop", help="a grid-gru: shipped name or checkpoint directory")
    parser.add_argument("--data", required=True, help="a recording made to evaluate on (all its episodes are run)")
    parser.add_argument("--rules", nargs="+", default=["likeliest", "sure:0.6", "regions:0.9", "regions-fill:0.9"])
    parser.add_argument("--horizon", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rules = {text: parse_rule(text) for text in args.rules}
    rows = {}
    for text, rule in rules.items():
        model = load_model(args.model).eval()
        if getattr(model.config, "doubt", False):
            raise SystemExit(f"{args.model}: a model with doubt keeps the doubt of its own read-out; no rule fits it")
        model.step = decode_with(model, rule)
        rows[text] = evaluate(model, args.data, args.horizon, baselines={}, episodes="all", progress=False)["at"]
    horizons = [h for h in rows[args.rules[0]] if h != "1"]
    print(f"{args.model} on every episode of {args.data}, closed loop, {args.horizon} steps")
    width = max(len(text) for text in rules)
    print(f"{'rule':>{width}} | " + " | ".join(f"{'steps 1..' + h:>40}" for h in horizons))
    print(f"{'-' * width}-+-" + "-+-".join("-" * 40 for _ in horizons))
    for text, at in rows.items():
        cells = [
            f"{m['psnr']:.2f} / {m['ssim']:.3f} / {m['exact_pixel_rate']:.4f} / {m['changed_pixel_rate'] or 0:.3f} / "
            f"{m['text_accuracy'] or 0:.3f}"
            for h, m in at.items()
            if h != "1"
        ]
        print(f"{text:>{width}} | " + " | ".join(f"{c:>40}" for c in cells))
    print("each cell: PSNR dB / SSIM / exact pixels / changed pixels right / text accuracy, means over the steps")


if __name__ == "__main__":
    main()
