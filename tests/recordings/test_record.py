"""The recording driver: seeds, alignment of screens and actions, parallel workers, replay."""

import inspect

import numpy as np
import pytest
from recording_fakes import FakeSoftware, fake_user, make_fake_software, record_fake

from neuralcomputer.actions import Action, decode_actions
from neuralcomputer.errors import UserError
from neuralcomputer.recordings import Recording, record_episodes, replay_actions
from neuralcomputer.software import make_software
from neuralcomputer.users import make_user


def test_episodes_follow_seeds_and_screens_follow_actions(tmp_path):
    recording = record_fake(tmp_path, episodes=3, steps=40, seed=10)
    assert [(e.seed, e.steps) for e in recording.info.episodes] == [(10, 40), (11, 40), (12, 40)]
    for i in range(3):
        episode = recording.episode(i)
        software = FakeSoftware()
        np.testing.assert_array_equal(episode.frames[0], software.reset(episode.seed))
        for t, action in enumerate(decode_actions(episode.actions)):
            np.testing.assert_array_equal(episode.frames[t + 1], software.step(action))
        # The user really drove it: the screen changed along the way.
        assert len({episode.frames[t].tobytes() for t in range(41)}) > 20


def test_appending_more_seeds(tmp_path):
    record_fake(tmp_path, episodes=2, seed=0)
    recording = record_fake(tmp_path, episodes=1, seed=2)
    assert [e.seed for e in recording.info.episodes] == [0, 1, 2]


def test_two_workers_record_the_same_data_as_one(tmp_path):
    one = record_fake(tmp_path / "one", episodes=3, steps=30, workers=1)
    two = record_fake(tmp_path / "two", episodes=3, steps=30, workers=2)
    assert one.info == two.info
    for i in range(3):
        np.testing.assert_array_equal(one.episode(i).frames[:], two.episode(i).frames[:])
        np.testing.assert_array_equal(one.episode(i).actions, two.episode(i).actions)
    assert not [p for p in (tmp_path / "two").iterdir() if p.name.startswith(".tmp-")]


def test_replay_records_the_given_actions(tmp_path):
    actions = [
        Action(mouse=(3, 4)), Action(button="down"), Action(key="a"), Action(), Action(mouse=(19, 11), key="Enter")
    ]
    name = replay_actions(tmp_path, actions, "fake", seed=5, width=20, height=12, software_factory=make_fake_software)
    episode = Recording(tmp_path).episode(0)
    assert (name, episode.seed) == ("episode_000000", 5)
    assert decode_actions(episode.actions) == actions
    assert episode.frames[2][0, 0] == 3  # button down colours the border


def test_bad_counts_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="at least 1"):
        record_episodes(tmp_path, "fake", episodes=0, software_factory=make_fake_software, user_factory=fake_user)


def test_defaults_drive_the_real_software_and_user():
    parameters = inspect.signature(record_episodes).parameters
    assert parameters["software_factory"].default is make_software
    assert parameters["user_factory"].default is make_user
    assert parameters["software"].default == "desktop"
