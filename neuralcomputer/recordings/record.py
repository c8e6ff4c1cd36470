"""Recording episodes: a synthetic user drives a software and every screen is kept.

This is how a neural computer gets its training data: it never sees the software's code, only
these recordings of it being used. Episode `i` of a run is booted and driven with seed `seed + i`,
so a recording is reproducible and its seeds say which episodes are held out (`split.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from tqdm import tqdm

from neuralcomputer.actions import SCHEMA_VERSION, Action, encode_actions
from neuralcomputer.errors import UserError
from neuralcomputer.recordings.reader import Recording
from neuralcomputer.recordings.writer import RecordingWriter, write_episode
from neuralcomputer.software import Software, make_software
from neuralcomputer.users import make_user

SoftwareFactory = Callable[..., Software]  # (name, width, height, **options) -> a fresh software
UserFactory = Callable[[Software, int], Iterator[Action]]  # (live software, seed) -> endless actions


def run_episode(software: Software, seed: int, user: Iterator[Action], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Boot with `seed` and apply up to `steps` actions from `user`: frames (T+1, H, W) uint8, actions (T, 5) int16."""
    # Copies, because a software may draw every screen into the same buffer.
    screens = [np.array(software.reset(seed), dtype=np.uint8)]
    actions = []
    for action in islice(user, steps):  # the user picks each action after seeing the last screen
        actions.append(action)
        screens.append(np.array(software.step(action), dtype=np.uint8))
    return np.stack(screens), encode_actions(actions)


@dataclass(frozen=True)
class _EpisodeJob:
    """Everything a worker process needs to record one episode (picklable for spawn)."""

    software: str
    width: int
    height: int
    seed: int
    steps: int
    temp_dir: Path
    options: dict
    software_factory: SoftwareFactory
    user_factory: UserFactory


def _record_job(job: _EpisodeJob) -> int:
    """Record one episode into `job.temp_dir`; returns its number of steps."""
    software = job.software_factory(job.software, job.width, job.height, **job.options)
    frames, actions = run_episode(software, job.seed, job.user_factory(software, job.seed), job.steps)
    write_episode(job.temp_dir, job.seed, frames, actions)
    return len(actions)


def record_episodes(
    out: str | Path,
    software: str = "desktop",
    episodes: int = 1,
    steps: int = 1000,
    seed: int = 0,
    width: int = 128,
    height: int = 128,
    workers: int = 1,
    progress: bool = True,
    options: dict | None = None,
    software_factory: SoftwareFactory = make_software,
    user_factory: UserFactory = make_user,
) -> Recording:
    """Record `episodes` episodes of `steps` steps with seeds seed, seed+1, ... into `out` (appending).

    `options` go to the software's constructor (e.g. {"app": "xterm"}) and are kept in info.json.
    """
    if episodes < 1 or steps < 1 or workers < 1:
        raise UserError(f"episodes, steps and workers must be at least 1, got {episodes}, {steps}, {workers}")
    options = options or {}
    writer = _writer(out, software_factory(software, width, height, **options), options)
    jobs = [
        _EpisodeJob(
            software, width, height, seed + i, steps, writer.new_temp_dir(), options, software_factory, user_factory
        )
        for i in range(episodes)
    ]
    bar = tqdm(total=episodes * steps, unit="frame", desc=f"recording {software}", disable=not progress)
    with ExitStack() as stack, bar:
        if workers > 1:
            # spawn, not fork: safe with threads (zarr's, torch's) and the same on every OS.
            pool = stack.enter_context(get_context("spawn").Pool(min(workers, episodes)))
            done = pool.imap(_record_job, jobs)  # in order, so episode names follow seeds
        else:
            done = map(_record_job, jobs)
        for job, recorded in zip(jobs, done):
            writer.adopt_episode(job.temp_dir, job.seed, recorded)
            bar.update(recorded)
    return Recording(out)


def replay_actions(
    out: str | Path,
    actions: list[Action],
    software: str = "desktop",
    seed: int = 0,
    width: int = 128,
    height: int = 128,
    options: dict | None = None,
    software_factory: SoftwareFactory = make_software,
) -> str:
    """Record one episode from a given action log (e.g. a person's session) into `out`; returns its name."""
    machine = software_factory(software, width, height, **(options or {}))
    writer = _writer(out, machine, options or {})
    frames, encoded = run_episode(machine, seed, iter(actions), len(actions))
    return writer.add_episode(seed, frames, encoded)


def _writer(out: str | Path, machine: Software, options: dict) -> RecordingWriter:
    """A writer for recordings of `machine` (created with `options`), checking an existing `out` matches."""
    return RecordingWriter(
        out, machine.name, machine.width, machine.height, machine.palette, SCHEMA_VERSION, machine.pointer_color, options
    )
