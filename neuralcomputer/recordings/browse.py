"""What `ncomp` shows about a recording: a summary, and one episode as a video or action log."""

from __future__ import annotations

from pathlib import Path

from neuralcomputer.actions import decode_actions, write_action_log
from neuralcomputer.errors import UserError
from neuralcomputer.recordings.reader import Recording
from neuralcomputer.recordings.split import HELDOUT_FRACTION, is_heldout
from neuralcomputer.recordings.video import VIDEO_SUFFIXES, write_video

SHOW_SUFFIXES = (*VIDEO_SUFFIXES, ".jsonl")


def describe(root: str | Path, heldout_fraction: float = HELDOUT_FRACTION) -> dict:
    """A JSON-able summary of the recording at `root`."""
    recording = Recording(root)
    info = recording.info
    return {
        "path": str(recording.root),
        "software": info.software,
        "options": dict(info.options),
        "resolution": [info.width, info.height],
        "episodes": len(recording),
        "frames": recording.total_frames,
        "steps": sum(e.steps for e in info.episodes),
        "palette_colours": len(info.palette),
        "action_schema": info.action_schema,
        "size_bytes": recording.size_bytes(),
        "heldout_episodes": sum(is_heldout(e.seed, heldout_fraction) for e in info.episodes),
        "heldout_fraction": heldout_fraction,
    }


def show(root: str | Path, episode: int, out_path: str | Path, scale: int | None = None, fps: float = 10.0) -> Path:
    """Write episode `episode` as a video (.gif, .mp4) or its action log (.jsonl); returns the path written."""
    out_path = Path(out_path)
    if out_path.suffix.lower() not in SHOW_SUFFIXES:
        raise UserError(f"{out_path}: unknown output type {out_path.suffix!r} (supported: {', '.join(SHOW_SUFFIXES)})")
    recording = Recording(root)
    chosen = recording.episode(episode)
    if out_path.suffix.lower() == ".jsonl":
        write_action_log(out_path, decode_actions(chosen.actions))
    else:
        write_video(out_path, chosen.frames[:], recording.info.palette_rgb, fps=fps, scale=scale)
    return out_path
