"""Videos (GIF, MP4, side by side) and the summaries `ncomp` prints."""

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image, ImageSequence
from recording_fakes import PALETTE, record_fake

from neuralcomputer.actions import SCHEMA_VERSION, decode_actions, read_action_log
from neuralcomputer.errors import UserError
from neuralcomputer.recordings import Recording, describe, difference, show, side_by_side, write_video
from neuralcomputer.recordings.video import default_scale


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    path = tmp_path_factory.mktemp("browse")
    record_fake(path, episodes=2, steps=12, seed=0)
    return path


def test_gif_keeps_the_palette_exactly(root, tmp_path):
    frames = Recording(root).episode(0).frames[:]
    out = show(root, 0, tmp_path / "e.gif")
    assert default_scale(20) == 26
    with Image.open(out) as gif:
        assert gif.size == (20 * 26, 12 * 26)
        first = np.asarray(gif.convert("RGB"))
        read = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]
    np.testing.assert_array_equal(first[::26, ::26], PALETTE[frames[0]])
    changes = sum(not np.array_equal(a, b) for a, b in zip(frames, frames[1:]))
    assert len(read) == 1 + changes  # Pillow merges a frame that repeats the one before
    assert not list(tmp_path.glob(".tmp-*"))


def test_mp4_is_readable_with_even_size(root, tmp_path):
    out = show(root, 1, tmp_path / "e.mp4", scale=5, fps=8)
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert meta["size"] == (100, 60) and meta["fps"] == 8 and meta["codec"] == "h264"
    first = np.frombuffer(next(reader), np.uint8).reshape(60, 100, 3)
    expected = PALETTE[Recording(root).episode(1).frames[0]]
    assert np.abs(first[2::5, 2::5].astype(int) - expected).max() < 24  # centres of the 5x5 squares
    assert 1 + sum(1 for _ in reader) == 13

    write_video(tmp_path / "odd.mp4", np.zeros((2, 7, 9), np.uint8), PALETTE, scale=1)
    assert next(imageio_ffmpeg.read_frames(str(tmp_path / "odd.mp4")))["size"] == (10, 8)


def test_jsonl_round_trips_the_actions(root, tmp_path):
    out = show(root, 1, tmp_path / "e.jsonl")
    assert read_action_log(out, 20, 12) == decode_actions(Recording(root).episode(1).actions)


def test_unknown_suffix_and_missing_folder(root, tmp_path):
    with pytest.raises(UserError, match=r"unknown output type '.png' \(supported: .gif, .mp4, .jsonl\)"):
        show(root, 0, tmp_path / "e.png")
    with pytest.raises(UserError, match="unknown video type '.avi'"):
        write_video(tmp_path / "e.avi", np.zeros((1, 4, 4), np.uint8), PALETTE)
    with pytest.raises(UserError, match="no such directory"):
        show(root, 0, tmp_path / "nowhere" / "e.gif")


def test_side_by_side_with_labels_and_difference(tmp_path):
    rng = np.random.default_rng(0)
    real = rng.integers(0, 8, (3, 12, 20), dtype=np.uint8)
    neural = real.copy()
    neural[:, 5, 5] = (real[:, 5, 5] + 1) % 8
    diff = difference(real, neural, PALETTE)
    assert (diff[:, 5, 5] == [255, 0, 0]).all() and (diff[:, 0, 0] == PALETTE[real[:, 0, 0]] // 3).all()

    plain = side_by_side([real, neural, diff], PALETTE, gap=2)
    assert plain.shape == (3, 12, 64, 3)
    np.testing.assert_array_equal(plain[:, :, 22:42], PALETTE[neural])
    labelled = side_by_side([real, neural, diff], PALETTE, labels=["real", "neural", "diff"])
    assert labelled.shape[0] == 3 and labelled.shape[2] == 64 and labelled.shape[1] > 12
    np.testing.assert_array_equal(labelled[:, -12:], plain)
    assert (labelled[0, : labelled.shape[1] - 12] == 255).any()  # some label text was drawn

    write_video(tmp_path / "cmp.gif", labelled)  # RGB frames, indexed exactly
    with Image.open(tmp_path / "cmp.gif") as gif:
        assert gif.size == (64 * 8, labelled.shape[1] * 8)
        np.testing.assert_array_equal(np.asarray(gif.convert("RGB"))[::8, ::8], labelled[0])


def test_describe(root):
    summary = describe(root)
    assert summary["episodes"] == 2 and summary["frames"] == 26 and summary["steps"] == 24
    assert summary["software"] == "fake" and summary["resolution"] == [20, 12]
    assert summary["palette_colours"] == 8 and summary["action_schema"] == SCHEMA_VERSION
    assert 0 < summary["size_bytes"] and 0 <= summary["heldout_episodes"] <= 2
