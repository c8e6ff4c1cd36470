"""Training windows: alignment of boot, actions and frames; stride; the held-out split."""

import pickle

import numpy as np
import pytest
import torch
from recording_fakes import FakeSoftware, record_fake

from neuralcomputer.actions import ENCODED_WIDTH, decode_actions
from neuralcomputer.errors import UserError
from neuralcomputer.recordings import Recording, is_heldout
from neuralcomputer.recordings.dataset import WindowDataset


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    path = tmp_path_factory.mktemp("windows")
    record_fake(path, episodes=20, steps=70, seed=0)  # 70 = 4 windows of 16, plus 6 left out
    return path


def test_windows_are_aligned(root):
    dataset = WindowDataset(root, window=16, split="all")
    assert len(dataset) == 20 * 4
    item = dataset[6]
    assert (item["episode"], item["start"]) == (1, 32)
    assert item["boot"].shape == (12, 20) and item["boot"].dtype == torch.uint8
    assert item["frames"].shape == (16, 12, 20) and item["frames"].dtype == torch.uint8
    assert item["actions"].shape == (16, ENCODED_WIDTH) and item["actions"].dtype == torch.int64

    # Replay the fake software up to the window: frames[t] is what actions[t] does to the screen before it.
    episode = Recording(root).episode(item["episode"])
    software = FakeSoftware()
    screen = software.reset(episode.seed)
    for action in decode_actions(episode.actions[: item["start"]]):
        screen = software.step(action)
    np.testing.assert_array_equal(item["boot"].numpy(), screen)
    for t, action in enumerate(decode_actions(item["actions"].numpy())):
        np.testing.assert_array_equal(item["frames"][t].numpy(), software.step(action))


def test_stride_is_the_window(root):
    dataset = WindowDataset(root, window=16, split="all")
    starts = [(dataset[i]["episode"], dataset[i]["start"]) for i in range(5)]
    assert starts == [(0, 0), (0, 16), (0, 32), (0, 48), (1, 0)]
    with pytest.raises(IndexError):
        dataset[len(dataset)]


def test_held_says_whether_the_button_is_down_when_the_window_starts(root):
    """No screen of a window shows a button held since before it; `held` does, as replaying the software says."""
    dataset, recording, software = WindowDataset(root, window=16, split="all"), Recording(root), FakeSoftware()
    seen = []
    for item in (dataset[i] for i in range(len(dataset))):
        software.reset()
        for action in decode_actions(recording.episode(item["episode"]).actions[: item["start"]]):
            software.step(action)
        assert item["held"].dtype == torch.bool and bool(item["held"]) == software.pressed
        seen.append(software.pressed)
    assert any(seen) and not all(seen)


def test_split_is_by_seed_and_disjoint(root):
    train = WindowDataset(root, window=16, split="train", heldout_fraction=0.3)
    heldout = WindowDataset(root, window=16, split="heldout", heldout_fraction=0.3)
    seeds = [e.seed for e in Recording(root).info.episodes]
    assert set(train.episodes).isdisjoint(heldout.episodes)
    assert sorted(train.episodes + heldout.episodes) == list(range(20))
    assert all(is_heldout(seeds[e], 0.3) for e in heldout.episodes)
    assert {heldout[i]["episode"] for i in range(len(heldout))} == set(heldout.episodes)
    # Stable and nested: the same answer every time, and held out at 0.3 means held out at 0.5.
    assert [is_heldout(s, 0.3) for s in range(1000)] == [is_heldout(s, 0.3) for s in range(1000)]
    assert all(is_heldout(s, 0.5) for s in range(1000) if is_heldout(s, 0.3))
    assert 200 < sum(is_heldout(s, 0.3) for s in range(1000)) < 400


def test_empty_split_and_too_long_window_are_user_errors(root):
    with pytest.raises(UserError, match="'heldout' split is empty"):
        WindowDataset(root, window=16, split="heldout", heldout_fraction=0.0)
    with pytest.raises(UserError, match="no train episode has 100 steps"):
        WindowDataset(root, window=100)
    with pytest.raises(UserError, match="unknown split"):
        WindowDataset(root, window=16, split="test")


def test_pickles_for_loader_workers_and_batches(root):
    dataset = WindowDataset(root, window=8)
    dataset[0]
    copy = pickle.loads(pickle.dumps(dataset))
    assert copy._open == {}
    batch = next(iter(torch.utils.data.DataLoader(copy, batch_size=4)))
    assert batch["frames"].shape == (4, 8, 12, 20) and batch["start"].tolist() == [0, 8, 16, 24]


def test_history_boots_from_the_screens_before_the_window(root):
    """With a history, boot is the screens that led to the window's first one; at an episode's start the
    first screen stands in for those before it."""
    plain, watched = WindowDataset(root, window=16, split="all"), WindowDataset(root, window=16, split="all", history=5)
    frames = Recording(root).episode(1).frames[:]
    late, early = watched.window_at(1, 32), watched.window_at(1, 3)
    assert late["boot"].shape == (6, 12, 20)
    np.testing.assert_array_equal(late["boot"].numpy(), frames[27:33])
    np.testing.assert_array_equal(early["boot"].numpy(), frames[[0, 0, 0, 1, 2, 3]])
    for key in ("actions", "frames"):
        assert torch.equal(late[key], plain.window_at(1, 32)[key])
    with pytest.raises(UserError, match="history"):
        WindowDataset(root, window=16, history=-1)


def test_episodes_kept_in_memory_read_the_same_and_stay_within_the_budget(root):
    """A dataset given memory keeps whole episodes decompressed while they fit, and its windows are
    the ones read from disk."""
    episode_bytes = 71 * 12 * 20  # 70 steps + the boot screen, 12 x 20 pixels
    on_disk = WindowDataset(root, window=16, split="all", history=5)
    in_memory = WindowDataset(root, window=16, split="all", history=5, memory=3 * episode_bytes + 1)
    for i in range(len(on_disk)):
        a, b = on_disk[i], in_memory[i]
        for key in ("boot", "held", "actions", "frames"):
            assert torch.equal(a[key], b[key])
    kept = [e for e, episode in in_memory._open.items() if isinstance(episode.frames, np.ndarray)]
    assert kept == [0, 1, 2] and in_memory._kept == 3 * episode_bytes
    assert pickle.loads(pickle.dumps(in_memory))._kept == 0  # a worker keeps its own
    with pytest.raises(UserError, match="memory"):
        WindowDataset(root, window=16, memory=-1)
