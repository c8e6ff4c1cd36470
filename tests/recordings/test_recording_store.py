"""The on-disk format: round trip, append, crash safety, and one clear error per kind of damage."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from recording_fakes import PALETTE

from neuralcomputer.actions import ENCODED_WIDTH
from neuralcomputer.errors import UserError
from neuralcomputer.recordings import Recording, RecordingWriter, write_episode
from neuralcomputer.recordings.writer import CHUNK_FRAMES


def random_episode(rng: np.random.Generator, steps: int, height: int = 12, width: int = 20):
    frames = rng.integers(0, len(PALETTE), (steps + 1, height, width), dtype=np.uint8)
    actions = rng.integers(-1, 100, (steps, ENCODED_WIDTH)).astype(np.int16)
    return frames, actions


def make_writer(root: Path, width: int = 20, palette: np.ndarray = PALETTE) -> RecordingWriter:
    return RecordingWriter(root, "fake", width, 12, palette, 1)


def test_round_trip_is_bit_exact(tmp_path):
    rng = np.random.default_rng(0)
    written = [random_episode(rng, steps) for steps in (CHUNK_FRAMES * 2 + 5, 0, 3)]
    writer = make_writer(tmp_path / "rec")
    names = [writer.add_episode(seed, f, a) for seed, (f, a) in enumerate(written, start=7)]
    assert names == ["episode_000000", "episode_000001", "episode_000002"]

    recording = Recording(tmp_path / "rec")
    assert len(recording) == 3
    assert recording.total_frames == sum(len(f) for f, _ in written)
    assert recording.info.software == "fake" and (recording.info.width, recording.info.height) == (20, 12)
    np.testing.assert_array_equal(recording.info.palette_rgb, PALETTE)
    for i, (frames, actions) in enumerate(written):
        episode = recording.episode(i)
        assert (episode.name, episode.seed, episode.steps) == (names[i], 7 + i, len(actions))
        assert episode.frames.shape == frames.shape and len(episode.frames) == len(frames)
        np.testing.assert_array_equal(episode.frames[:], frames)
        np.testing.assert_array_equal(episode.frames[60:70], frames[60:70])  # across a chunk boundary
        assert episode.actions.dtype == np.int16
        np.testing.assert_array_equal(episode.actions, actions)
    info = json.loads((tmp_path / "rec" / "info.json").read_text())
    assert info["format"] == "neuralcomputer-recording" and info["format_version"] == 1
    assert info["frames"] == recording.total_frames and info["palette"] == PALETTE.tolist()
    assert 0 < recording.size_bytes() < sum(f.nbytes for f, _ in written)


def test_append_and_mismatch(tmp_path):
    rng = np.random.default_rng(1)
    make_writer(tmp_path).add_episode(0, *random_episode(rng, 4))
    make_writer(tmp_path).add_episode(1, *random_episode(rng, 5))
    assert [e.seed for e in Recording(tmp_path).info.episodes] == [0, 1]

    with pytest.raises(UserError, match="cannot append: it has width 20, the new episodes 24"):
        make_writer(tmp_path, width=24)
    with pytest.raises(UserError, match="palette differs"):
        make_writer(tmp_path, palette=PALETTE[::-1])
    with pytest.raises(UserError, match="cannot append: it has software 'fake'"):
        RecordingWriter(tmp_path, "desktop", 20, 12, PALETTE, 1)
    assert len(Recording(tmp_path)) == 2


def test_refuses_a_foreign_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty and not a recording"):
        make_writer(tmp_path)


def test_interrupted_write_leaves_earlier_episodes_and_hides_the_partial_one(tmp_path):
    rng = np.random.default_rng(2)
    first = random_episode(rng, 6)
    writer = make_writer(tmp_path)
    writer.add_episode(0, *first)
    info_before = (tmp_path / "info.json").read_bytes()
    # A crash mid-episode: written to its temp dir, never adopted; and one renamed but never listed.
    write_episode(writer.new_temp_dir(), 1, *random_episode(rng, 6))
    write_episode(tmp_path / "episode_000001.zarr", 1, *random_episode(rng, 6))
    assert (tmp_path / "info.json").read_bytes() == info_before

    recording = Recording(tmp_path)
    assert len(recording) == 1
    np.testing.assert_array_equal(recording.episode(0).frames[:], first[0])

    second = random_episode(rng, 3)
    assert make_writer(tmp_path).add_episode(5, *second) == "episode_000001"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    np.testing.assert_array_equal(Recording(tmp_path).episode(1).frames[:], second[0])


@pytest.fixture
def recording_dir(tmp_path) -> Path:
    make_writer(tmp_path / "rec").add_episode(3, *random_episode(np.random.default_rng(3), 150))
    return tmp_path / "rec"


def open_and_read(root: Path) -> None:
    episode = Recording(root).episode(0)
    episode.frames[:]


def edit_info(root: Path, **changes) -> None:
    info = json.loads((root / "info.json").read_text())
    info.update(changes)
    (root / "info.json").write_text(json.dumps(info))


def truncate_chunk(root: Path) -> None:
    chunk = root / "episode_000000.zarr" / "frames" / "c" / "1" / "0" / "0"
    chunk.write_bytes(chunk.read_bytes()[:-20])


def flip_chunk_byte(root: Path) -> None:
    chunk = root / "episode_000000.zarr" / "frames" / "c" / "2" / "0" / "0"
    data = bytearray(chunk.read_bytes())
    data[len(data) // 2] ^= 0x55
    chunk.write_bytes(bytes(data))


DAMAGE = {
    "missing dir": (lambda root: shutil.rmtree(root), "no such recording directory"),
    "foreign dir": (lambda root: (root / "info.json").unlink(), r"not a recording \(no info.json\)"),
    "garbled json": (lambda root: (root / "info.json").write_text('{"format": '), "info.json: malformed JSON"),
    "foreign json": (lambda root: (root / "info.json").write_text('{"name": "x"}'), "not a neuralcomputer recording"),
    "future version": (lambda root: edit_info(root, format_version=2), "format_version 2 is not supported"),
    "bad field": (lambda root: edit_info(root, width="wide"), "field 'width' must be an integer, got 'wide'"),
    "missing episode": (
        lambda root: shutil.rmtree(root / "episode_000000.zarr"),
        "episode_000000.zarr: episode listed in info.json is missing",
    ),
    "wrong shape": (
        lambda root: edit_info(root, width=21),
        r"episode_000000.zarr/frames: expected uint8 of shape \(151, 12, 21\), found uint8 of shape \(151, 12, 20\)",
    ),
    "missing chunk": (
        lambda root: (root / "episode_000000.zarr" / "frames" / "c" / "1" / "0" / "0").unlink(),
        "frames: 1 of 3 chunks are missing",
    ),
    "truncated chunk": (truncate_chunk, "episode_000000.zarr/frames: damaged chunk"),
    "corrupted chunk": (flip_chunk_byte, "episode_000000.zarr/frames: damaged chunk"),
    "garbled episode": (
        lambda root: (root / "episode_000000.zarr" / "zarr.json").write_text("{"),
        "episode_000000.zarr: not a readable episode",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_gives_one_clear_line(recording_dir, damage):
    harm, message = DAMAGE[damage]
    harm(recording_dir)
    with pytest.raises(UserError, match=message) as caught:
        open_and_read(recording_dir)
    assert "\n" not in str(caught.value)
    assert str(recording_dir) in str(caught.value)


def test_episode_index_out_of_range(recording_dir):
    with pytest.raises(UserError, match=r"no episode 1 \(it has 1, numbered 0..0\)"):
        Recording(recording_dir).episode(1)
