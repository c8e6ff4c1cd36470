"""Typed text: a glyph per key, drawn around the anchor."""

import numpy as np
import torch
import torch.nn.functional as F
from toy_world import TINY

from neuralcomputer.actions import KEY_CODES
from neuralcomputer.model import ARCHS
from neuralcomputer.model.glyphs import ORIGIN, SCALE, WINDOW, Glyphs
from neuralcomputer.software.desktop.font import ATLAS, CELL_H, CELL_W, FIRST, GLYPH_H, GLYPH_W

STEPS = 150  # optimiser steps of the typewriter test


def glyphs_with_random_windows(keys: int = 5, colours: int = 3) -> Glyphs:
    torch.manual_seed(0)
    glyphs = Glyphs(keys, colours)
    with torch.no_grad():
        glyphs.shared.normal_(0, 0.1)
        glyphs.windows.normal_(0, 0.1)
    return glyphs


def test_a_sure_anchor_draws_its_keys_window_around_it_and_no_key_draws_nothing():
    glyphs = glyphs_with_random_windows()
    logits = torch.full((2, 20, 24), -30.0)
    logits[:, 7, 9] = 30.0  # all the weight on one pixel
    anchors = glyphs.anchors(logits)
    assert torch.allclose(anchors.sum((1, 2)), torch.ones(2)) and anchors[0, 7, 9] > 0.999
    drawn = glyphs.draw(anchors, glyphs.kernels(torch.tensor([3, 0])))
    (h, w), (oy, ox) = WINDOW, ORIGIN
    window = (SCALE * (glyphs.shared + glyphs.windows[2])).detach()
    box = drawn[0, :, 7 - oy : 7 - oy + h, 9 - ox : 9 - ox + w].detach()
    torch.testing.assert_close(box[1:], window[1:], rtol=1e-3, atol=1e-3)  # the colours, around the anchor
    torch.testing.assert_close(box[0], F.softplus(window[0]), rtol=1e-3, atol=1e-3)  # the gate, never below 0
    assert drawn[0].abs().sum() - box.abs().sum() < 1e-3  # and nothing elsewhere
    assert not drawn[1].any()


def test_nowhere_takes_the_weight_when_every_pixel_says_no():
    anchors = Glyphs(3, 2).anchors(torch.full((1, 8, 8), -30.0))
    assert anchors.sum() < 1e-9


def test_drawing_some_cells_gives_those_cells_of_the_whole_drawing():
    """`step` draws the glyphs' colours only in the open cells, from the anchors around them: the same numbers
    as the whole map's, here on a screen that is not a whole number of 4x4 cells."""
    glyphs = glyphs_with_random_windows()
    anchors = glyphs.anchors(torch.randn(2, 22, 30))
    kernels = glyphs.kernels(torch.tensor([2, 4]))
    whole = F.pad(glyphs.draw(anchors, kernels)[:, 1:], (0, 2, 0, 2))  # padded to 8x6 cells
    b, cy, cx = torch.tensor([0, 0, 1, 1]), torch.tensor([0, 3, 2, 5]), torch.tensor([0, 4, 7, 6])
    cells = glyphs.draw_cells(anchors, kernels, b, cy, cx, stride=4)
    for n in range(4):
        y, x = 4 * int(cy[n]), 4 * int(cx[n])
        rows, cols = min(4, 22 - y), min(4, 30 - x)  # the padding's pixels are not the screen's
        torch.testing.assert_close(cells[n, :, :rows, :cols], whole[b[n], :, y : y + rows, x : x + cols])


PAPER, INK = 0, 1
TYPEWRITER = [[255, 255, 255], [0, 0, 0], [200, 0, 0]]  # paper, ink, and a pointer colour never drawn


def typed_clips(rng: np.random.Generator, clips: int, steps: int, size: int = 32) -> tuple:
    """A tiny typewriter in the desktop's font: a key draws its glyph right of the caret (a bar in the spacing
    column, as Notepad's), the caret moves one character on, and a full page starts again blank. Each clip's
    first line starts at a random place, so glyphs fall at any offset within the model's 4x4 cells.
    (frames (N, T + 1, S, S) uint8, actions (N, T, A) int64, the caret bar's top (row, column) before each step
    (N, T, 2))."""
    frames, actions, carets = [], [], []
    for _ in range(clips):
        screen = np.full((size, size), PAPER, np.uint8)
        x0, y0 = int(rng.integers(1, 5)), int(rng.integers(0, 4))
        cols, rows, col, row = (size - x0 - 1) // CELL_W, (size - y0 - 1) // CELL_H, 0, 0
        caret = lambda: (y0 + row * CELL_H, x0 - 1 + col * CELL_W)  # noqa: E731
        screen[caret()[0] : caret()[0] + CELL_H, caret()[1]] = INK
        clip, typed, where = [screen.copy()], [], []
        for _ in range(steps):
            where.append(caret())
            key = 0
            if rng.random() < 0.6:
                char = "abcd"[rng.integers(4)]
                key = KEY_CODES[char]
                (y, x), glyph = caret(), ATLAS[ord(char) - FIRST, :GLYPH_H, :GLYPH_W]
                screen[y : y + CELL_H, x] = PAPER
                screen[y : y + GLYPH_H, x + 1 : x + 1 + GLYPH_W] = np.where(glyph, INK, PAPER)
                col, row = (col + 1, row) if col + 1 < cols else (0, row + 1)
                if row == rows:
                    row, screen[:] = 0, PAPER
                screen[caret()[0] : caret()[0] + CELL_H, caret()[1]] = INK
            clip.append(screen.copy())
            typed.append([-1, -1, 0, key, 0])
        frames.append(np.stack(clip)), actions.append(typed), carets.append(where)
    return torch.from_numpy(np.stack(frames)), torch.tensor(actions), torch.tensor(carets)


def test_glyphs_learn_where_the_caret_is_from_the_pixels_alone():
    """Trained teacher forced on a typewriter's screens and keys (never told where its caret is), a tiny
    grid-gru puts most of its anchors' weight around the caret when a key is pressed, and draws much of what
    the keys change."""
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    config = ARCHS["grid-gru"].config_class(
        software="typewriter", width=32, height=32, palette=TYPEWRITER, pointer_color=2, glyphs=True,
        **TINY["grid-gru"],
    )  # fmt: skip
    model = ARCHS["grid-gru"](config)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(STEPS):
        frames, actions, _ = typed_clips(rng, 8, 8)
        loss, _ = model(model.boot(frames[:, 0]), actions, frames[:, 1:], teacher_forced=True)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()

    frames, actions, carets = typed_clips(rng, 16, 12)
    near = right = changed = 0.0
    with torch.no_grad():
        state = model.boot(frames[:, 0])
        for t in range(actions.shape[1]):
            keyed = actions[:, t, 3] > 0
            anchors = model.glyphs.anchors(model._prepare(state, actions[:, t])[-1])
            for b in keyed.nonzero()[:, 0].tolist():
                y, x = carets[b, t].tolist()
                near += float(anchors[b, max(y - 2, 0) : y + CELL_H + 2, max(x - 2, 0) : x + CELL_W + 3].sum())
            state, screens = model.step(state, actions[:, t])
            moved = frames[:, t + 1] != frames[:, t]
            right += float((screens == frames[:, t + 1])[moved].sum())
            changed += float(moved.sum())
            state = model.observe(state, frames[:, t + 1])
    keys = float((actions[:, :, 3] > 0).sum())
    assert near / keys > 0.5  # around the caret's character cell: ~110 of 1024 pixels (0.87 when written)
    assert right / changed > 0.4  # (0.61 when written)
