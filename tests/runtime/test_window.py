"""The pygame window, headless (SDL's dummy video driver): posted input steps the machine and redraws."""

import time

import numpy as np
import pygame
import pytest
from lively_model import lively_model

from neuralcomputer.actions import Action
from neuralcomputer.runtime import Session
from neuralcomputer.runtime.window import PlayWindow
from neuralcomputer.software.desktop import Desktop
from neuralcomputer.software.desktop.palette import NAVY, PALETTE

SCALE = 2


@pytest.fixture
def window(monkeypatch, tmp_path):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")  # read when the window opens its display
    window = PlayWindow(Session(lively_model(), "tiny"), scale=SCALE, record_dir=tmp_path / "records")
    yield window
    pygame.display.quit()


def post(kind: int, **fields) -> None:
    pygame.event.post(pygame.event.Event(kind, **fields))


def pixels() -> np.ndarray:
    return pygame.surfarray.array3d(pygame.display.get_surface()).transpose(1, 0, 2)  # (H, W, 3)


def actions(window: PlayWindow):
    return window.session.recording()[0]


def click(x: int, y: int) -> None:
    post(pygame.MOUSEBUTTONDOWN, pos=(x * SCALE, y * SCALE), button=1)
    post(pygame.MOUSEBUTTONUP, pos=(x * SCALE, y * SCALE), button=1)


def test_input_steps_the_machine_and_the_window_shows_it(window, tmp_path):
    before = pixels()
    assert before.shape == (128 * SCALE, 128 * SCALE, 3)
    post(pygame.MOUSEMOTION, pos=(40, 60), rel=(1, 1), buttons=(0, 0, 0))
    post(pygame.MOUSEMOTION, pos=(50, 70), rel=(1, 1), buttons=(0, 0, 0))  # merged with the move before
    window.run(max_loops=1)
    assert window.session.frame.step == 1 and actions(window)[0].mouse == (25, 35)
    assert not np.array_equal(pixels(), before)

    typed = pixels()
    post(pygame.KEYDOWN, key=pygame.K_h, unicode="h", mod=0, scancode=0)
    post(pygame.KEYDOWN, key=pygame.K_RETURN, unicode="\r", mod=0, scancode=0)
    window.run(max_loops=1)
    assert [a.key for a in actions(window)[1:]] == ["h", "Enter"]
    assert not np.array_equal(pixels(), typed)


def test_function_keys_toggle_truth_record_and_reboot(window, tmp_path):
    post(pygame.KEYDOWN, key=pygame.K_F2, unicode="", mod=0, scancode=0)
    window.run(max_loops=1)
    assert pixels().shape == (128 * SCALE, (3 * 128 + 4) * SCALE, 3)  # neural | real | difference
    icon = Desktop().icon_center("terminal")
    click(*icon)
    click(*icon)
    window.run(max_loops=1)
    real = pixels()[::SCALE, (128 + 2) * SCALE :: SCALE][:, :128]
    navy_rows = (real == PALETTE[NAVY]).all(axis=2).sum(axis=1)
    assert navy_rows.max() > 40  # the terminal opened in the real software: a focused (navy) title bar

    post(pygame.KEYDOWN, key=pygame.K_F9, unicode="", mod=0, scancode=0)
    window.run(max_loops=1)
    assert sorted(p.suffix for p in (tmp_path / "records").iterdir()) == [".gif", ".jsonl"]
    post(pygame.KEYDOWN, key=pygame.K_F5, unicode="", mod=0, scancode=0)
    window.run(max_loops=1)
    assert window.session.frame.step == 0
    post(pygame.QUIT)
    assert window.tick() is False


def test_a_game_steps_on_its_clock_with_the_keys_held(monkeypatch, tmp_path):
    """DOOM runs on without input, 35/4 steps a second; each step carries the keys held at its tick."""
    from lively_model import game_model

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    window = PlayWindow(Session(game_model(), "tiny-doom"), scale=1)
    try:
        assert window.session.software.clock_hz == 35 / 4
        started = time.perf_counter()
        window.run(max_loops=30)  # at least 0.5 s at 60 loops a second, no input
        idle, elapsed = window.session.frame.step, time.perf_counter() - started
        assert 2 <= idle <= elapsed * 35 / 4 + 1 and all(a == Action() for a in actions(window))
        post(pygame.KEYDOWN, key=pygame.K_UP, unicode="", mod=0, scancode=0)
        post(pygame.KEYDOWN, key=pygame.K_LCTRL, unicode="", mod=0, scancode=0)
        post(pygame.KEYDOWN, key=pygame.K_3, unicode="3", mod=0, scancode=0)  # a weapon: pressed, not held
        window.run(max_loops=20)
        post(pygame.KEYUP, key=pygame.K_UP, unicode="", mod=0, scancode=0)
        window.run(max_loops=20)
        played = actions(window)[idle:]
        assert played[0] == Action(key="3", hold=("Up", "Ctrl"))
        holds = [a.hold for a in played]
        assert ("Up", "Ctrl") in holds[1:] and holds[-1] == ("Ctrl",)
    finally:
        pygame.display.quit()
