"""Atari through ALE: the NTSC palette, controls, restarts, determinism, recording."""

import functools
import itertools

import numpy as np
import pytest

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError
from neuralcomputer.recordings import record_episodes
from neuralcomputer.software import make_software
from neuralcomputer.users import make_user

pytest.importorskip("ale_py", reason="Atari needs the ale-py package (pip install ale-py)")

from neuralcomputer.software.atari import Atari  # noqa: E402  (after the skip: it needs ale-py)

MOVES = [Action(hold=(k,)) for k in ("Left", "Right", "Up", "Down", " ")] + [Action()]


@pytest.mark.parametrize("game", ["breakout", "pong"])
def test_palette_is_the_one_ale_renders_with(game):
    atari = Atari(game=game)
    atari.reset(0)
    rng = np.random.default_rng(0)
    colours = set()
    for _ in range(300):
        screen = atari.step(MOVES[rng.integers(len(MOVES))])
        assert screen.shape == (210, 160) and screen.dtype == np.uint8 and screen.max() < len(atari.palette)
        np.testing.assert_array_equal(atari.palette[screen], atari._ale.getScreenRGB())
        colours |= set(np.unique(screen).tolist())
    assert len(colours) >= 5 and atari.palette.shape == (128, 3)


def test_held_keys_move_the_paddles():
    breakout = Atari(game="breakout")
    breakout.reset(0)
    x = int(breakout.ram()[72])
    for _ in range(5):
        breakout.step(Action(hold=("Right",)))
    assert int(breakout.ram()[72]) > x  # paddle x grows
    pong = Atari(game="pong")
    pong.reset(0)
    y = int(pong.ram()[51])
    for _ in range(5):
        pong.step(Action(hold=("Up",)))
    assert int(pong.ram()[51]) < y  # paddle y shrinks: up the screen


def test_game_over_restarts_within_the_step():
    atari = Atari(game="breakout")
    atari.reset(0)
    for _ in range(3000):  # serve, never move: every ball is lost
        atari.step(Action(hold=(" ",)))
        if atari.games == 2:
            break
    assert atari.games == 2 and atari.state()["lives"] == 5
    assert atari.state()["frame"] <= atari.frame_skip  # the new game's first frames


def test_recordings_are_deterministic_and_seeds_shift_the_start(tmp_path):
    factory = functools.partial(make_software, game="breakout")
    runs = [
        record_episodes(
            tmp_path / name, "atari", steps=60, seed=seed, width=160, height=210, progress=False,
            software_factory=factory,
        )
        for name, seed in (("a", 1), ("b", 1), ("c", 2))
    ]
    a, b, c = (run.episode(0).frames[:] for run in runs)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert (np.diff(a.astype(int), axis=0) != 0).any(axis=(1, 2)).mean() > 0.8


def test_pong_through_make_software_and_the_player():
    pong = make_software("atari", 160, 210, game="pong")
    pong.reset(0)
    frames = [pong.step(a).copy() for a in itertools.islice(make_user(pong, 0), 50)]
    assert len({f.tobytes() for f in frames}) > 40


def test_bad_sizes_and_games_are_user_errors():
    with pytest.raises(UserError, match="160x210"):
        Atari(width=128, height=128)
    with pytest.raises(UserError, match="breakout"):
        Atari(game="tetris")
