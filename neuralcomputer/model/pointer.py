"""The pointer as an exact register, drawn over the screen as a learned sprite.

Where the pointer is follows from the mouse actions alone (each move names the new
position), so a model has no reason to learn it: the position lives in the state as
integers, copied from the actions, and the only thing learned is what the pointer
looks like (a small patch of colour and opacity pasted at that position). At boot the
position is read off the screen from the palette colour the software reserves for it.
The register also gives the model maps of where the pointer is (`pointer_cells`) and
the screen as a drag would move it (`drag`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

POINTER_CHANNELS = 5  # of `pointer_cells`
REACH = 32.0  # pixels: the unit of the pointer's offset from each cell


def locate_pointer(screens_BHW: Tensor, color: int | None) -> Tensor:
    """Pointer positions (B, 2) int64 as (x, y): the first pixel of `color` in reading order, -1 if none."""
    B, H, W = screens_BHW.shape
    if color is None:
        return torch.full((B, 2), -1, dtype=torch.long, device=screens_BHW.device)
    found_B, first_B = (screens_BHW == color).flatten(1).view(torch.uint8).max(1)  # the first maximum's index
    xy_B2 = torch.stack([first_B % W, first_B // W], 1)
    return torch.where(found_B[:, None].bool(), xy_B2, -1)


def move_pointer(xy_B2: Tensor, actions_BA: Tensor) -> Tensor:
    """The register update: a mouse action sets the position, anything else keeps it."""
    return torch.where(actions_BA[:, :1] >= 0, actions_BA[:, :2], xy_B2)


def drag(screen_BHW: Tensor, old_xy_B2: Tensor, new_xy_B2: Tensor) -> Tensor:
    """The screen moved by the pointer's move (x, y): what a drag would make of it.

    Where nothing moves in from (the far edge), and where the move is unknown, the old
    pixel stays. One slice copy per screen: at batch 1 on a CPU ~5x faster than a gather
    of every pixel (on an accelerator, reading the moves waits for it once per call). A
    compiled step (`NeuralComputer.compile_step`) takes the gather instead: the compiler
    makes it one loop, and slices sized by the data would split its graph.
    """
    B, H, W = screen_BHW.shape
    known_B1 = (old_xy_B2[:, :1] >= 0) & (new_xy_B2[:, :1] >= 0)
    move_B2 = torch.where(known_B1, new_xy_B2 - old_xy_B2, 0)
    if torch.compiler.is_compiling():
        ys_BH = torch.arange(H, device=screen_BHW.device) - move_B2[:, 1:]
        xs_BW = torch.arange(W, device=screen_BHW.device) - move_B2[:, :1]
        inside_BHW = on_screen(ys_BH, xs_BW, H, W)
        rows_BHW = screen_BHW.gather(1, ys_BH.clamp(0, H - 1)[:, :, None].expand(B, H, W))
        moved_BHW = rows_BHW.gather(2, xs_BW.clamp(0, W - 1)[:, None, :].expand(B, H, W))
        return torch.where(inside_BHW, moved_BHW, screen_BHW)
    moved_BHW = screen_BHW.clone()
    for b, (dx, dy) in enumerate(move_B2.tolist()):
        if abs(dx) < W and abs(dy) < H:
            moved_BHW[b, max(dy, 0) : H + min(dy, 0), max(dx, 0) : W + min(dx, 0)] = screen_BHW[
                b, max(-dy, 0) : H - max(dy, 0), max(-dx, 0) : W - max(dx, 0)
            ]
    return moved_BHW


def on_screen(ys_BY: Tensor, xs_BX: Tensor, H: int, W: int) -> Tensor:
    """Which (row, column) pairs of each screen's rows `ys_BY` and columns `xs_BX` lie on an H x W screen:
    (B, Y, X)."""
    return ((ys_BY >= 0) & (ys_BY < H))[:, :, None] & ((xs_BX >= 0) & (xs_BX < W))[:, None, :]


def patch_around(screen_BHW: Tensor, xy_B2: Tensor, side: int, outside: int) -> Tensor:
    """The colours of the `side` x `side` pixels centred on the pointer, (B, side * side) int64 in reading
    order; `outside` where a pixel is off the screen, and everywhere where the position is unknown."""
    B, H, W = screen_BHW.shape
    offsets_S = torch.arange(side, device=screen_BHW.device) - side // 2
    ys_BS, xs_BS = xy_B2[:, 1:] + offsets_S, xy_B2[:, :1] + offsets_S
    inside_BSS = on_screen(ys_BS, xs_BS, H, W) & (xy_B2[:, :1, None] >= 0)
    at_BSS = ys_BS.clamp(0, H - 1)[:, :, None] * W + xs_BS.clamp(0, W - 1)[:, None, :]
    colours_BSS = screen_BHW.flatten(1).gather(1, at_BSS.flatten(1)).view(B, side, side).long()
    return torch.where(inside_BSS, colours_BSS, outside).flatten(1)


def pointer_cells(xy_B2: Tensor, grid_h: int, grid_w: int, stride: int) -> Tensor:
    """The pointer as maps over a grid of `stride`-pixel cells: (B, POINTER_CHANNELS, grid_h, grid_w).

    Channel 0 marks the cell holding the hotspot and channels 1-2 give its x, y offset
    inside that cell in [0, 1); channels 3-4 give every cell the pointer's x, y offset
    from the cell's centre, in units of `REACH` pixels, so that a cell far from the
    pointer can still tell that it belongs to the button or icon being clicked. All
    zero where the position is unknown.
    """
    B, device = len(xy_B2), xy_B2.device
    known_B1 = (xy_B2[:, :1] >= 0).float()
    cell_B2 = xy_B2.clamp(min=0) // stride
    at_BHW = (
        F.one_hot(cell_B2[:, 1].clamp(max=grid_h - 1), grid_h).float()[:, :, None]
        * F.one_hot(cell_B2[:, 0].clamp(max=grid_w - 1), grid_w).float()[:, None, :]
        * known_B1[:, :, None]
    )
    inside_B2 = (xy_B2.clamp(min=0) % stride).float() / stride
    reach_x_BW = (xy_B2[:, :1] - (torch.arange(grid_w, device=device) + 0.5) * stride) / REACH * known_B1
    reach_y_BH = (xy_B2[:, 1:] - (torch.arange(grid_h, device=device) + 0.5) * stride) / REACH * known_B1
    return torch.stack(
        [
            at_BHW,
            at_BHW * inside_B2[:, 0, None, None],
            at_BHW * inside_B2[:, 1, None, None],
            reach_x_BW[:, None, :].expand(B, grid_h, grid_w),
            reach_y_BH[:, :, None].expand(B, grid_h, grid_w),
        ],
        1,
    )


class PointerSprite(nn.Module):
    """A learned `size` x `size` patch (colour log-probs + opacity) drawn over a screen's log-probs.

    The patch starts `size // 4` pixels above and left of the hotspot, so arrows (tip at
    the hotspot) and centred cursors both fit. It starts transparent. Its logits are
    stored divided by `GAIN`: each is one free number that must travel several units
    (transparent to opaque), and Adam moves a parameter about `lr` per step whatever its
    gradient, so the gain lets it get there in hundreds of steps, not thousands.
    """

    GAIN = 50.0

    def __init__(self, num_colors: int, size: int):
        super().__init__()
        self.size, self.origin = size, size // 4
        self.colors = nn.Parameter(torch.zeros(num_colors, size, size))
        self.opacity = nn.Parameter(torch.full((size, size), -4.0 / self.GAIN))

    def hotspot(self, first_xy_B2: Tensor, color: int) -> Tensor:
        """Hotspots from where `locate_pointer` found the pointer's first `color` pixel.

        The learnt sprite says how far that pixel lies from the hotspot (for an arrow
        with an outline, a little below and right of its tip); untrained, it says 0.
        """
        opaque_SS = (self.opacity > 0) & (self.colors.argmax(0) == color)
        if not opaque_SS.any():
            return first_xy_B2
        first = int(opaque_SS.flatten().byte().argmax())
        offset_2 = torch.tensor([first % self.size, first // self.size], device=first_xy_B2.device) - self.origin
        return torch.where(first_xy_B2 >= 0, first_xy_B2 - offset_2, first_xy_B2)

    def erase(self, screens_BHW: Tensor, xy_B2: Tensor, under_BHW: Tensor | None = None) -> Tensor:
        """The screens with the pointer rubbed out: its footprint filled from `under_BHW` where given (what a
        model already believes lies under it), else with the commonest colour around it.

        What lies under the pointer at boot is unknown; the guess is right on plain
        backgrounds, and the model repairs the rest (the footprint is where the learnt
        sprite is more opaque than not).
        """
        H, W = screens_BHW.shape[1:]
        b_N, y_N, x_N = self.covered(xy_B2, H, W)
        erased_BHW = screens_BHW.clone()
        if under_BHW is not None:
            erased_BHW[b_N, y_N, x_N] = under_BHW[b_N, y_N, x_N]
            return erased_BHW
        ys_BS, xs_BS = (v.clamp(0, limit - 1) for v, limit in zip(self._window(xy_B2), (H, W)))
        rows_B1 = torch.arange(len(xy_B2), device=xy_B2.device)[:, None]
        ring_BR = torch.cat(
            [screens_BHW[rows_B1, ys_BS[:, [edge]], xs_BS] for edge in (0, -1)]
            + [screens_BHW[rows_B1, ys_BS, xs_BS[:, [edge]]] for edge in (0, -1)],
            1,
        )
        erased_BHW[b_N, y_N, x_N] = ring_BR.mode(1).values[b_N]
        return erased_BHW

    def forward(self, xy_B2: Tensor, logp_BKHW: Tensor) -> Tensor:
        """Log-probs (B, K, H, W) of the screen with the pointer drawn on top (opacity-weighted mixture).

        Only the sprite's on-screen pixels are touched: (B * size^2) of them, not B * H * W.
        """
        b_N, y_N, x_N, sy_N, sx_N = self.footprint(xy_B2, *logp_BKHW.shape[2:])
        drawn_BKHW = logp_BKHW.clone()
        drawn_BKHW[b_N, :, y_N, x_N] = self.draw(logp_BKHW[b_N, :, y_N, x_N], sy_N, sx_N)
        return drawn_BKHW

    def draw(self, under_NK: Tensor, sy_N: Tensor, sx_N: Tensor) -> Tensor:
        """Log-probs (N, K) of N footprint pixels with the sprite drawn over them: `under_NK` is the screen's
        log-probs there, (sy_N, sx_N) the pixels' places in the sprite."""
        opacity_N1 = self.GAIN * self.opacity[sy_N, sx_N, None]
        colors_NK = (self.GAIN * self.colors).log_softmax(0)[:, sy_N, sx_N].T
        return torch.logaddexp(F.logsigmoid(opacity_N1) + colors_NK, F.logsigmoid(-opacity_N1) + under_NK)

    def covered(self, xy_B2: Tensor, height: int, width: int) -> tuple[Tensor, Tensor, Tensor]:
        """The on-screen pixels the sprite hides (more opaque than not): batch row, screen y and x, each (N,)."""
        b_N, y_N, x_N, sy_N, sx_N = self.footprint(xy_B2, height, width)
        hidden_N = self.opacity[sy_N, sx_N] > 0
        return b_N[hidden_N], y_N[hidden_N], x_N[hidden_N]

    def _window(self, xy_B2: Tensor) -> tuple[Tensor, Tensor]:
        """Screen rows and columns of each sprite window, (B, S) each (off screen ones included)."""
        span_S = torch.arange(self.size, device=xy_B2.device) - self.origin
        return xy_B2[:, 1:] + span_S, xy_B2[:, :1] + span_S

    def footprint(self, xy_B2: Tensor, height: int, width: int) -> tuple[Tensor, ...]:
        """The sprite's on-screen pixels (none where the position is unknown): batch row,
        screen y and x, sprite y and x, each (N,)."""
        ys_BS, xs_BS = self._window(xy_B2)
        on_screen_BSS = (
            ((ys_BS >= 0) & (ys_BS < height))[:, :, None]
            & ((xs_BS >= 0) & (xs_BS < width))[:, None, :]
            & (xy_B2[:, 0] >= 0)[:, None, None]
        )
        b_N, sy_N, sx_N = on_screen_BSS.nonzero(as_tuple=True)
        return b_N, ys_BS[b_N, sy_N], xs_BS[b_N, sx_N], sy_N, sx_N
