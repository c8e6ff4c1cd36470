"""The pointer register and its sprite."""

import torch

from neuralcomputer.model.pointer import PointerSprite, locate_pointer, move_pointer, pointer_cells


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


def test_pointer_cells_mark_the_hotspot_cell():
    cells = pointer_cells(torch.tensor([[9, 2], [-1, -1]]), 4, 4, stride=4)
    assert cells.shape == (2, 3, 4, 4)
    assert cells[0, 0].nonzero().tolist() == [[0, 2]]
    assert cells[0, 1, 0, 2] == 0.25 and cells[0, 2, 0, 2] == 0.5
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
