"""A pixel's colour as the gates mix it: the old colours it may keep (its own, the one a drag brings,
the one under it) and the new colours the decoder offers.

Each source's weight, and that of "new", is a softmax over the pixel's gates. Where one
old colour holds more than half of the weight it wins exactly, whatever the new logits
say: copying is exact, and `step` decodes new colours only where no old colour is sure
to win (`kept_colour`); training and those pixels take the whole mixture (`mix_colours`).
"""

from __future__ import annotations

import functools

import torch
from torch import Tensor

SURE = 0.5 + 1e-4  # an old colour with more of a pixel's weight than this wins (the margin outweighs rounding)


def kept_colour(sources_BMHW: Tensor, gates_BGHW: Tensor) -> tuple[Tensor, Tensor]:
    """Per pixel, the most weight one old colour holds, and that colour: (B, H, W) each. A source's share is its
    own weight plus that of the other sources showing the same colour.

    Eager, a few operators over all sources at once. Compiled, the same sums written out
    source by source: the compiler makes them one loop vectorised along pixels, where a
    softmax and a max over 3-4 gates are reductions along a tiny dimension (the step took
    ~10 % longer with them). Where two sources tie they show the same colour.
    """
    if not torch.compiler.is_compiling():
        same_BMMHW = sources_BMHW[:, :, None] == sources_BMHW[:, None]
        best_BHW, source_BHW = (same_BMMHW * gates_BGHW.softmax(1)[:, None, :-1]).sum(2).max(1)
        return best_BHW, sources_BMHW.gather(1, source_BHW[:, None])[:, 0]
    gates = gates_BGHW.unbind(1)
    top_BHW = functools.reduce(torch.maximum, gates)
    weights = [torch.exp(gate_BHW - top_BHW) for gate_BHW in gates]
    total_BHW = functools.reduce(torch.add, weights)
    colours = sources_BMHW.float().unbind(1)  # (compared as floats: with bytes the loop is not vectorised)

    def share(own_BHW: Tensor) -> Tensor:
        shares = [torch.where(own_BHW == other_BHW, w_BHW, 0.0) for w_BHW, other_BHW in zip(weights, colours)]
        return functools.reduce(torch.add, shares) / total_BHW

    best_BHW, colour_BHW = share(colours[0]), colours[0]
    for own_BHW in colours[1:]:
        share_BHW = share(own_BHW)
        better_BHW = share_BHW > best_BHW
        best_BHW = torch.where(better_BHW, share_BHW, best_BHW)
        colour_BHW = torch.where(better_BHW, own_BHW, colour_BHW)
    return best_BHW, colour_BHW.to(sources_BMHW.dtype)


def mix_colours(sources_BMHW: Tensor, gates_BGHW: Tensor, new_logits_BKHW: Tensor) -> Tensor:
    """Per-pixel log-probs (B, K, H, W) of sum_m w_m * onehot(source m) + w_new * softmax(new logits).

    The weights are softmax(gates) over the M sources and "new". With the weight on a
    source above one half, that source's colour wins exactly, whatever the logits say.
    """
    log_weights_BGHW = gates_BGHW.log_softmax(1)
    logp_BKHW = log_weights_BGHW[:, -1:] + new_logits_BKHW.log_softmax(1)
    for m in range(sources_BMHW.shape[1]):
        colour_B1HW = sources_BMHW[:, m : m + 1].long()
        mass_B1HW = torch.logaddexp(logp_BKHW.gather(1, colour_B1HW), log_weights_BGHW[:, m : m + 1])
        logp_BKHW = logp_BKHW.scatter(1, colour_B1HW, mass_B1HW)
    return logp_BKHW


def doubt(best_BHW: Tensor, top_logp_BHW: Tensor) -> Tensor:
    """Per pixel, one minus the probability of its likeliest colour: where an old colour is sure to win
    (`best_BHW` above `SURE`), one minus its share (a lower bound on its probability, known without the
    colour logits, as `step` has it), elsewhere from the likeliest colour's log-prob."""
    return torch.where(best_BHW > SURE, 1 - best_BHW, -torch.expm1(top_logp_BHW))
