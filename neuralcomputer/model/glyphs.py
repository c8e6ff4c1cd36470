"""Typed text: a learnt glyph per key, drawn where the memory says the caret is.

Where a character appears when a key is pressed is no fixed place (the caret's), so
the pictures of `canvas` cannot draw it, and the cells' 32 numbers decoded by a pixel
layer shared by all cells would have to learn every glyph at every offset within a
4x4 cell (a glyph is 4x6 pixels on a 5x7 grid, which the cells do not share). Here
the work is split as a text renderer splits it:

- *where*: each pixel decodes one more number, an anchor logit; over the whole screen
  and one slot for "nowhere" (logit 0) a softmax makes them one distribution, so a
  confident model puts its weight on one pixel (the caret) or on nowhere;
- *what*: each key has a learnt window of `WINDOW` pixels around its anchor: K colour
  logits, and one logit added to the pixel's "new colour" gate, so the glyph's pixels
  are also let through the mixture (what `under` and the drag offer stays as it was).
  The gate's part is a softplus, never below zero: a glyph may only open pixels. (Free
  to be negative, it would first learn "keep" from the many unchanged pixels, with its
  anchors drawn to them, and a glyph as a bias to keep everywhere.)

Each screen's new logits get the anchor distribution convolved with its key's window;
a step without a key gets nothing. All of it is differentiable, so where and what are
learnt together from the pixels alone, as attention learns where to look. In `step`
the gate's part is convolved over the whole screen (one map: it decides which pixels
open), the colours only for the open cells, from the anchors around them.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

WINDOW = (9, 11)  # rows, columns: a 5x7 character cell, the caret's 1-6 pixels either side, a pixel of slack
ORIGIN = (1, 5)  # the anchor's place in the window: the window spans 1 row above it, 5 columns left of it
SCALE = 10.0  # the windows' logits per unit of their parameters: a key's window learns 10x as fast


class Glyphs(nn.Module):
    """A window of (1 + K) logits per key: the gate's (through a softplus), then K colours'; key code 0 (no key)
    draws nothing. Each key's window is one shared by all keys plus its own, times `SCALE`.

    Why both: at first the anchors are nowhere in particular, so a key's own window,
    learnt only from that key's presses (one of ~60 keys typed), gets little of a
    consistent gradient, and its anchors none from it. What every key does at the caret
    (the caret moves on, a character cell of ink on paper appears) is learnt from every
    press by the shared window, which draws the anchors to the caret; each key's window
    learns its glyph from there. And a glyph needs logits of ~5-10 to win over "keep"
    and the pixel layer's colours, more than 60 minutes at the recipe's learning rate
    move a parameter seen on a few presses per step, hence `SCALE`.
    """

    def __init__(self, num_keys: int, num_colors: int):
        super().__init__()
        self.shared = nn.Parameter(torch.zeros(1 + num_colors, *WINDOW))  # starts as without it
        self.windows = nn.Parameter(torch.zeros(num_keys - 1, 1 + num_colors, *WINDOW))

    def anchors(self, logits_BHW: Tensor) -> Tensor:
        """The anchor logits -> each screen's distribution over its pixels (B, H, W); the rest is on nowhere."""
        B, H, W = logits_BHW.shape
        flat_BP = torch.cat([logits_BHW.flatten(1), logits_BHW.new_zeros(B, 1)], 1)
        return flat_BP.softmax(1)[:, :-1].view(B, H, W)

    def kernels(self, keys_B: Tensor) -> Tensor:
        """Each screen's window as a correlation kernel (B, 1 + K, *WINDOW): flipped, zero without a key."""
        windows_BXhw = SCALE * (self.shared + self.windows[(keys_B - 1).clamp(min=0)])
        windows_BXhw = torch.cat([F.softplus(windows_BXhw[:, :1]), windows_BXhw[:, 1:]], 1)
        return (windows_BXhw * (keys_B > 0)[:, None, None, None]).flip(2, 3)

    def draw(self, anchors_BHW: Tensor, kernels_BXhw: Tensor) -> Tensor:
        """Every pixel's share of the glyphs: (B, X, H, W), X = the kernels' first X planes.

        A pixel p gets sum over anchors q of weight(q) * window(p - q + ORIGIN): a correlation
        of the padded anchor map with the screen's flipped window, one convolution per screen
        (on 2 CPU threads one grouped convolution of two screens took 1.5x as long as two).
        """
        padded_B1HW = _pad(anchors_BHW)[:, None]
        return torch.cat([F.conv2d(padded_B1HW[b : b + 1], kernels_BXhw[b, :, None]) for b in range(len(padded_B1HW))])

    def draw_cells(
        self, anchors_BHW: Tensor, kernels_BXhw: Tensor, b_C: Tensor, cy_C: Tensor, cx_C: Tensor, stride: int
    ) -> Tensor:
        """`draw`'s colour planes for some cells only: (C, K, stride, stride), cell C at (cy_C, cx_C) of screen
        b_C, on a screen padded to whole cells. Each cell reads the anchors around it, not the whole map."""
        (h, w), s = WINDOW, stride
        gh, gw = -(-anchors_BHW.shape[1] // s), -(-anchors_BHW.shape[2] // s)
        padded_BHW = _pad(anchors_BHW, (gh * s - anchors_BHW.shape[1], gw * s - anchors_BHW.shape[2]))
        # Per cell, the (s + h - 1) x (s + w - 1) anchors that reach its pixels, then each pixel's window of them.
        around_BhwYX = padded_BHW.unfold(1, s + h - 1, s).unfold(2, s + w - 1, s)
        windows_CPT = around_BhwYX[b_C, cy_C, cx_C].unfold(1, h, 1).unfold(2, w, 1).reshape(len(b_C), s * s, h * w)
        colours_CTK = kernels_BXhw[b_C, 1:].flatten(2).transpose(1, 2)
        return (windows_CPT @ colours_CTK).transpose(1, 2).unflatten(2, (s, s))


def _pad(anchors_BHW: Tensor, extra: tuple[int, int] = (0, 0)) -> Tensor:
    """The anchor map padded with zeros so that a correlation with a flipped window is `draw`'s sum [plus
    `extra` rows and columns at the bottom and right, for screens padded to whole cells]."""
    (h, w), (oy, ox) = WINDOW, ORIGIN
    return F.pad(anchors_BHW, (w - 1 - ox, ox + extra[1], h - 1 - oy, oy + extra[0]))
