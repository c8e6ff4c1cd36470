"""DOOM through ViZDoom: exact palette, controls, restarts inside an episode, determinism, recording."""

import functools

import numpy as np
import pytest

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError
from neuralcomputer.recordings import record_episodes
from neuralcomputer.software import make_software

vizdoom = pytest.importorskip("vizdoom", reason="DOOM needs the vizdoom package (pip install vizdoom)")

from neuralcomputer.software.doom import Doom  # noqa: E402  (after the skip: it needs vizdoom)

WALK = [Action(hold=("Up",))] * 6 + [Action(hold=("Left", "Ctrl"))] * 4 + [Action(hold=("d", "Shift"))] * 4


def moved(before: dict, after: dict) -> float:
    """Map units walked on the floor between two `Doom.state()`s."""
    return float(np.hypot(*np.subtract(after["position"][:2], before["position"][:2])))


@pytest.fixture(scope="module")
def doom():
    game = Doom()
    game.reset(0)  # starts the engine now, before any test patches ViZDoom
    yield game
    game.close()


def test_screens_index_the_wads_playpal_exactly(doom, monkeypatch):
    """The same seed and inputs rendered in RGB by a second game give palette[screen] pixel for pixel."""
    set_format = vizdoom.DoomGame.set_screen_format
    monkeypatch.setattr(vizdoom.DoomGame, "set_screen_format", lambda g, _: set_format(g, vizdoom.ScreenFormat.RGB24))
    rgb_game = Doom()
    try:
        pairs = [(doom.reset(5), rgb_game.reset(5))]
        pairs += [(doom.step(a).copy(), rgb_game.step(a)) for a in WALK]
    finally:
        rgb_game.close()
    assert doom.palette.shape == (256, 3) and doom.palette.dtype == np.uint8
    for screen, rgb in pairs:
        assert screen.shape == (120, 160) and screen.dtype == np.uint8
        np.testing.assert_array_equal(doom.palette[screen], rgb)


def test_held_keys_move_turn_strafe_and_fire(doom):
    doom.reset(0)
    start = doom.state()
    for _ in range(4):
        doom.step(Action(hold=("Up",)))
    for _ in range(10):  # coast to a stop
        doom.step(Action())
    walked = doom.state()
    assert walked["position"][:2] != start["position"][:2] and walked["angle"] == start["angle"]
    for _ in range(3):
        doom.step(Action(hold=("Left",)))
    turned = doom.state()
    assert turned["angle"] != walked["angle"] and moved(walked, turned) < 2
    for _ in range(3):
        doom.step(Action(hold=("Alt", "Left")))  # DOOM's strafe modifier: moves sideways, no turn
    strafed = doom.state()
    assert strafed["angle"] == turned["angle"] and moved(turned, strafed) > 10
    for _ in range(4):
        doom.step(Action(hold=("Ctrl",)))
    assert doom.state()["ammo"] < strafed["ammo"]


def test_a_finished_episode_restarts_within_the_step(doom):
    doom.reset(0)
    for _ in range(3):
        doom.step(Action(hold=("Up",)))
    doom._game.send_game_command("kill")  # die, as a monster would make us
    screen = doom.step(Action())
    state = doom.state()
    assert doom.episodes == 2 and state["health"] == 100 and state["tic"] < 2 * doom.frame_skip
    assert screen.shape == (doom.height, doom.width)


def test_recordings_are_deterministic_given_the_seed(tmp_path):
    runs = [
        record_episodes(tmp_path / name, "doom", episodes=1, steps=40, seed=seed, width=160, height=120, progress=False)
        for name, seed in (("a", 3), ("b", 3), ("c", 4))
    ]
    a, b, c = (run.episode(0).frames[:] for run in runs)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert (np.diff(a.astype(int), axis=0) != 0).any(axis=(1, 2)).mean() > 0.8  # the player keeps things moving
    assert runs[0].info.palette_rgb.shape == (256, 3)


def test_options_reach_the_game_through_make_software(tmp_path):
    factory = functools.partial(make_software, level="MAP01", wad="freedoom2")
    recording = record_episodes(
        tmp_path, "doom", steps=5, width=160, height=120, progress=False, software_factory=factory
    )
    assert recording.episode(0).frames.shape == (6, 120, 160)


def test_bad_sizes_wads_and_levels_are_user_errors():
    with pytest.raises(UserError, match="160x120"):
        Doom(width=128, height=128)
    with pytest.raises(UserError, match="freedoom"):
        Doom(wad="doom3")
    with pytest.raises(UserError, match="E1M1"):  # caught up front: ViZDoom would hang on it
        Doom(level="E9M9")
