"""The pointer register and its sprite."""

import torch

from neuralcomputer.model.pointer import (
    PointerSprite,
    drag,
    locate_pointer,
    move_pointer,
    patch_around,
    pointer_cells,
)


def test_locate_pointer_reads_the_first_pixel_of_its_colour():
    screens = torch.zeros(3, 8, 8, dtype=torch.uint8)
    screens[0, 2:4, 5:7] = 3
    screens[1, 7, 0] = 3
    assert locate_pointer(screens, 3).tolist() == [[5, 2], [0, 7], [-1, -1]]
    assert locate_pointer(screens, None).tolist() == [[-1, -1]] * 3


def test_move_pointer_only_on_mouse_actions():
    xy = torch.tensor([[1, 2], [3, 4]])
    actions = torch.tensor([[5, 6, 0, 0], [-1, -1, 1, 7]])
    assert move_pointer(xy, actions).tolist() == [[5, 6], [3, 4]]


def test_pointer_cells_mark_the_hotspot_cell_and_the_offset_from_each_cell():
    cells = pointer_cells(torch.tensor([[9, 2], [-1, -1]]), 4, 4, stride=4)
    assert cells.shape == (2, 5, 4, 4)
    assert cells[0, 0].nonzero().tolist() == [[0, 2]]
    assert cells[0, 1, 0, 2] == 0.25 and cells[0, 2, 0, 2] == 0.5
    assert cells[0, 3, 3, 0] == (9 - 2) / 32 and cells[0, 4, 3, 0] == (2 - 14) / 32  # offset from cell (0, 3)
    assert cells[1].abs().sum() == 0


def test_sprite_draws_only_near_the_pointer():
    sprite = PointerSprite(num_colors=4, size=4)
    with torch.no_grad():
        sprite.opacity.fill_(1.0)  # opaque everywhere in its window
        sprite.colors.zero_()[3] = 1.0  # colour 3
    background = torch.zeros(2, 4, 10, 10).log_softmax(1)
    drawn = sprite(torch.tensor([[5, 5], [-1, -1]]), background).argmax(1)
    assert (drawn[0] == 3).nonzero().min(0).values.tolist() == [4, 4]  # origin = size // 4 above-left
    assert (drawn[0] == 3).sum() == 16
    assert (drawn[1] == 3).sum() == 0  # unknown position: nothing drawn


def test_patch_around_reads_the_square_centred_on_the_pointer():
    screen = torch.arange(36, dtype=torch.uint8).view(1, 6, 6).repeat(3, 1, 1)
    xy = torch.tensor([[2, 3], [0, 0], [-1, -1]])  # inside; at the corner, half off the screen; unknown
    patch = patch_around(screen, xy, 3, outside=99).view(3, 3, 3)
    assert patch[0].tolist() == [[13, 14, 15], [19, 20, 21], [25, 26, 27]]  # rows 2-4, columns 1-3
    assert patch[1].tolist() == [[99, 99, 99], [99, 0, 1], [99, 6, 7]]
    assert (patch[2] == 99).all()


def test_drag_moves_the_screen_by_the_pointer_move():
    screen = torch.zeros(5, 6, 6, dtype=torch.uint8)
    screen[:, 1:3, 1:3] = 5
    old = torch.tensor([[2, 2], [-1, -1], [4, 3], [0, 0], [0, 0]])
    new = torch.tensor([[4, 3], [4, 3], [2, 2], [4, 0], [6, 0]])  # by (2, 1); unknown; (-2, -1); (4, 0); (6, 0)
    moved = drag(screen, old, new)
    expected = torch.zeros(5, 6, 6, dtype=torch.uint8)
    expected[0, 2:4, 3:5] = 5
    expected[0, 1:3, 1] = 5  # columns 0-1 and row 0 have nothing moving in: they keep their pixels
    expected[1] = screen[1]  # move unknown: nothing moves
    expected[2, 0:2, 0] = 5  # moved up and left, half off the screen; row 5 and columns 4-5 keep theirs (0)
    expected[3] = screen[3]
    expected[3, 1:3, 5] = 5  # column 1 moves onto 5; columns 0-3 keep theirs
    expected[4] = screen[4]  # a whole screen away: nothing moves in
    assert torch.equal(moved, expected)
    assert torch.equal(torch.compile(drag, fullgraph=True)(screen, old, new), expected)  # the compiler's gather
    grip = torch.rand(5, 6, 6, requires_grad=True)
    drag(grip, old, new).sum().backward()  # differentiable: the grip is dragged in training
    assert grip.grad is not None


def test_erase_fills_the_pointer_footprint_with_the_colour_around_it():
    sprite = PointerSprite(num_colors=4, size=4)
    with torch.no_grad():
        sprite.opacity[1:3, 1:3] = 1.0  # footprint: 2x2 at the hotspot (origin 1)
    screens = torch.full((1, 8, 8), 2, dtype=torch.uint8)
    screens[0, 3:5, 3:5] = 3  # the pointer at (3, 3)
    screens[0, 0, 0] = 1  # something elsewhere is left alone
    erased = sprite.erase(screens, torch.tensor([[3, 3]]))
    assert erased[0, 3:5, 3:5].eq(2).all() and erased[0, 0, 0] == 1
    believed = torch.zeros_like(screens)  # what a model believed lay under the pointer
    erased = sprite.erase(screens, torch.tensor([[3, 3]]), believed)
    footprint = torch.zeros_like(screens, dtype=torch.bool)
    footprint[0, 3:5, 3:5] = True
    assert erased[footprint].eq(0).all() and torch.equal(erased[~footprint], screens[~footprint])


def test_hotspot_undoes_the_offset_of_the_first_pointer_pixel():
    sprite = PointerSprite(num_colors=4, size=8)  # origin 2
    assert sprite.hotspot(torch.tensor([[5, 5]]), color=3).tolist() == [[5, 5]]  # untrained: no offset
    with torch.no_grad():
        sprite.opacity[2:6, 2:5] = 1.0  # an outlined box whose tip is the hotspot
        sprite.colors.zero_()[0] = 1.0  # outline colour 0...
        sprite.colors[:, 3:5, 3:4] = torch.tensor([0.0, 0, 0, 1])[:, None, None]  # ...fill colour 3 from (1, 1)
    assert sprite.hotspot(torch.tensor([[5, 5], [-1, -1]]), color=3).tolist() == [[4, 4], [-1, -1]]
