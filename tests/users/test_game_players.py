"""The scripted game players: they explore, fight, track the ball, and differ by seed."""

import itertools

import numpy as np
import pytest

from neuralcomputer.actions import HOLD_KEYS, Action
from neuralcomputer.software import make_software
from neuralcomputer.users import make_user


def play(software, seed: int, steps: int):
    """Run the software's scripted player; yields (action, state after it)."""
    software.reset(seed)
    for action in itertools.islice(make_user(software, seed), steps):
        assert isinstance(action, Action) and set(action.hold) <= set(HOLD_KEYS)
        software.step(action)
        yield action, software.state()


def test_doom_player_explores_fights_and_holds_keys():
    pytest.importorskip("vizdoom")
    doom = make_software("doom", 160, 120)
    actions, states = zip(*play(doom, 1, 600))
    cells = {tuple(int(v) // 64 for v in s["position"][:2]) for s in states}
    assert len(cells) > 20  # walked well beyond the start room
    assert states[-1]["kills"] >= 1 or states[-1]["episode"] > 1  # it fought (and won or died)
    assert sum("Ctrl" in a.hold for a in actions) >= 5
    repeats = sum(a.hold == b.hold for a, b in zip(actions, actions[1:]))
    assert repeats > 0.5 * len(actions)  # persistence: held choices last several steps
    doom.close()


@pytest.mark.parametrize("game", ["breakout", "pong"])
def test_atari_player_returns_balls_but_not_all(game):
    pytest.importorskip("ale_py")
    atari = make_software("atari", 160, 210, game=game)
    scores = [s["score"] for _, s in play(atari, 0, 1500)]
    gains = np.diff([0, *scores])
    if game == "breakout":
        assert (gains > 0).sum() >= 10  # bricks hit
        assert atari.games > 1 or atari.state()["lives"] < 5  # and balls missed now and then
    else:
        assert (gains > 0).sum() >= 1 and (gains < 0).sum() >= 1  # points won and lost


def test_atari_players_differ_by_seed():
    pytest.importorskip("ale_py")
    a = [act for act, _ in play(make_software("atari", 160, 210), 0, 300)]
    b = [act for act, _ in play(make_software("atari", 160, 210), 1, 300)]
    assert a != b
