"""Episodes on disk: the format (`info.py`), writer, reader, recording driver, videos, summaries.

The torch `WindowDataset` lives in `neuralcomputer.recordings.dataset` and is not imported here,
so recording (and its spawned worker processes) never pays for importing torch.
"""

from neuralcomputer.recordings.browse import describe, show
from neuralcomputer.recordings.info import EpisodeEntry, RecordingInfo
from neuralcomputer.recordings.reader import Episode, EpisodeFrames, Recording
from neuralcomputer.recordings.record import record_episodes, replay_actions, run_episode
from neuralcomputer.recordings.split import HELDOUT_FRACTION, is_heldout, split_episodes
from neuralcomputer.recordings.video import difference, side_by_side, write_video
from neuralcomputer.recordings.writer import RecordingWriter, write_episode

__all__ = [
    "HELDOUT_FRACTION",
    "Episode",
    "EpisodeEntry",
    "EpisodeFrames",
    "Recording",
    "RecordingInfo",
    "RecordingWriter",
    "describe",
    "difference",
    "is_heldout",
    "record_episodes",
    "replay_actions",
    "run_episode",
    "show",
    "side_by_side",
    "split_episodes",
    "write_episode",
    "write_video",
]
