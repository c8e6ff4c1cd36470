"""Closed-loop evaluation: boot each episode from its first screen, then run on its actions alone.

This is the test a neural computer exists to pass: after boot it never sees a real frame
again, so every error it makes stays in its state and compounds, as it would for a person
using it. Episodes are batched, and the model and its baselines step in lockstep so that
each real frame is read, and the real software replayed, once per step for all of them.

Teacher forcing (on request) measures the easier thing most world-model papers report
(GameNGen's 29.4 dB): each next screen predicted from the true past, the model shown
every real screen (`NeuralComputer.observe`) before it predicts the next.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import numpy as np
import torch
from tqdm import tqdm

from neuralcomputer.errors import UserError
from neuralcomputer.evaluation.ground_truth import METRICS, GroundTruth, StepTotals
from neuralcomputer.model import ARCHS, NeuralComputer, load_model
from neuralcomputer.recordings import HELDOUT_FRACTION, Episode, Recording, RecordingInfo, split_episodes

ModelSource = str | Path | NeuralComputer  # a shipped name, a checkpoint directory, or a loaded model
HORIZONS = (1, 10, 100, 1000)  # the "at" keys: how long a model stays faithful, on a log scale
BLOCK_STEPS = 64  # real frames read per episode at a time: bounds memory at long horizons
WARMUP_STEPS, TIMED_STEPS, ROUNDS = 20, 40, 5  # for steps per second: each system (per round)

COPY_LAST_FRAME = "copy-last-frame"  # the baseline with no weights, always run
DEFAULT_BASELINES: Mapping[str, ModelSource | None] = MappingProxyType({"seed-gru": None})  # None: not given
MODEL_KEY = "model"  # the evaluated model among the systems stepped together


def evaluate(
    model: ModelSource,
    data: str | Path,
    horizon: int,
    baselines: Mapping[str, ModelSource | None] = DEFAULT_BASELINES,
    episodes: str | Sequence[int] = "heldout",
    heldout_fraction: float = HELDOUT_FRACTION,
    report_dir: str | Path | None = None,
    batch_size: int = 16,
    device: str | None = None,
    progress: bool = True,
    teacher_forced: bool = False,
    compile: bool = False,
) -> dict:
    """Run `model` closed loop on the recording `data` for `horizon` steps; return the JSON summary.

    `baselines` maps a label to a model to compare with; a None value (the default for
    seed-gru) is skipped with a note. `copy-last-frame` is always compared too. `episodes`
    is "heldout" (the episodes whose seed is held out of training at `heldout_fraction`),
    "all" (for a recording made only for evaluation), or a list of episode indices.
    `teacher_forced` adds each system's one-step-ahead measures over the same steps.
    `compile` compiles every system's step first (`NeuralComputer.compile_step`, in place):
    the same screens, a faster run and faster steps per second, after a minute or so of
    compiling per system and batch size.
    """
    recording = Recording(data)
    info, where = recording.info, str(recording.root)
    indices = _select(info, episodes, heldout_fraction, where)
    shortest = min(info.episodes[i].steps for i in indices)
    if not 1 <= horizon <= shortest:
        raise UserError(
            f"{where}: horizon must be between 1 and {shortest} (the shortest chosen episode), got {horizon}"
        )
    torch_device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    name = str(model) if isinstance(model, (str, Path)) else model.config.arch
    systems = {MODEL_KEY: _load(model, info)}
    notes = []
    for label, source in {COPY_LAST_FRAME: COPY_LAST_FRAME, **baselines}.items():
        if source is None:
            notes.append(f"baseline {label} skipped: no model given")
        else:
            systems[label] = _load(source, info)
    for system in systems.values():
        system.to(torch_device).eval()
        if compile:
            system.compile_step()

    truth = GroundTruth.of(info)
    totals, sample = rollout(systems, recording, indices, horizon, truth, batch_size, torch_device, progress)
    curves = {label: t.curves() for label, t in totals.items()}
    forced = {}
    if teacher_forced:
        forced_totals, _ = rollout(
            systems, recording, indices, horizon, truth, batch_size, torch_device, progress, teacher_forced=True
        )
        forced = {label: {"teacher_forced": _means(t.curves(), horizon)} for label, t in forced_totals.items()}
    first = recording.episode(indices[0])
    speed = steps_per_second(systems, first.frames[0], first.actions[:horizon], torch_device)
    result = {
        "model": name,
        "data": where,
        "split": episodes if isinstance(episodes, str) else "chosen",
        "episodes": len(indices),
        "horizon": horizon,
        **_summary(curves[MODEL_KEY], horizon),
        **forced.get(MODEL_KEY, {}),
        "steps_per_second": round(speed[MODEL_KEY], 2),
        "baselines": {
            label: {**_summary(c, horizon), **forced.get(label, {}), "steps_per_second": round(speed[label], 2)}
            for label, c in curves.items()
            if label != MODEL_KEY
        },
        "notes": notes,
    }
    if report_dir is not None:
        from neuralcomputer.evaluation.report import write_report  # imports matplotlib: only when asked

        real = first.frames[1 : horizon + 1]
        labelled = [(name if label == MODEL_KEY else label, c) for label, c in curves.items()]  # the model first
        write_report(report_dir, result, labelled, real, sample, info.palette_rgb)
    return result


@torch.inference_mode()
def rollout(
    systems: dict[str, NeuralComputer],
    recording: Recording,
    indices: list[int],
    horizon: int,
    truth: GroundTruth,
    batch_size: int,
    device: torch.device,
    progress: bool = True,
    teacher_forced: bool = False,
) -> tuple[dict[str, StepTotals], np.ndarray]:
    """Step every system closed loop on the episodes `indices`; return its totals and the model's
    screens for the first episode, (horizon, H, W) uint8, for the report's video.

    With `teacher_forced`, each system sees the real screen after every step it predicts.
    """
    totals = {label: StepTotals(horizon, len(indices), truth) for label in systems}
    sample = np.zeros((horizon, recording.info.height, recording.info.width), np.uint8)
    desc = "teacher forced" if teacher_forced else "closed loop"
    bar = tqdm(total=len(indices) * horizon, desc=desc, unit="step", disable=not progress)
    for start in range(0, len(indices), batch_size):
        batch = [recording.episode(i) for i in indices[start : start + batch_size]]
        boot_BHW = np.stack([e.frames[0] for e in batch])
        actions_BTA = np.stack([e.actions[:horizon] for e in batch])
        actions = torch.from_numpy(actions_BTA.astype(np.int64)).to(device)
        states = {label: s.boot(torch.from_numpy(boot_BHW).to(device)) for label, s in systems.items()}
        replays = [truth.replay(e.seed, b, str(e.path)) for e, b in zip(batch, boot_BHW)] if truth.has_text else []
        before_BHW = boot_BHW
        for t, real_BHW in enumerate(_real_frames(batch, horizon)):
            regions = [r.step(a, real) for r, a, real in zip(replays, actions_BTA[:, t], real_BHW)] if replays else None
            for label, system in systems.items():
                states[label], screens = system.step(states[label], actions[:, t])
                pred_BHW = screens.cpu().numpy()
                totals[label].add(t, pred_BHW, real_BHW, before_BHW, regions)
                if teacher_forced:
                    states[label] = system.observe(states[label], torch.from_numpy(real_BHW).to(device))
                if start == 0 and label == MODEL_KEY:
                    sample[t] = pred_BHW[0]
            before_BHW = real_BHW
            bar.update(len(batch))
    bar.close()
    return totals, sample


@torch.inference_mode()
def steps_per_second(
    systems: dict[str, NeuralComputer], boot_HW: np.ndarray, actions_TA: np.ndarray, device: torch.device
) -> dict[str, float]:
    """Steps per second of each system's `step` at batch 1, after a warm-up, cycling through `actions_TA`.

    The systems take turns for `ROUNDS` rounds and each reports its median round, so
    that a busy neighbour on a shared machine slows them all alike. Each screen is
    copied to the host, as a runtime showing it must; that also waits for an
    accelerator to finish the step.
    """
    rows = torch.from_numpy(actions_TA.astype(np.int64)).to(device)
    states = {label: system.boot(torch.from_numpy(boot_HW[None]).to(device)) for label, system in systems.items()}
    rounds: dict[str, list[float]] = {label: [] for label in systems}

    def run(label: str, first: int, steps: int) -> None:
        for t in range(first, first + steps):
            states[label], screen = systems[label].step(states[label], rows[t % len(rows)][None])
            screen.cpu()

    for label in systems:
        run(label, 0, WARMUP_STEPS)
    for r in range(ROUNDS):
        for label in systems:
            start = time.perf_counter()
            run(label, WARMUP_STEPS + r * TIMED_STEPS, TIMED_STEPS)
            rounds[label].append(TIMED_STEPS / (time.perf_counter() - start))
    return {label: statistics.median(rates) for label, rates in rounds.items()}


def _select(info: RecordingInfo, episodes: str | Sequence[int], heldout_fraction: float, where: str) -> list[int]:
    """Indices of the episodes to evaluate, validated."""
    if isinstance(episodes, str):
        return split_episodes(info, episodes, heldout_fraction, where)
    indices = list(episodes)
    bad = [i for i in indices if not 0 <= i < len(info.episodes)]
    if bad or not indices:
        raise UserError(f"{where}: choose episodes among 0..{len(info.episodes) - 1}, got {indices or 'none'}")
    return indices


def _real_frames(batch: list[Episode], horizon: int) -> Iterator[np.ndarray]:
    """The real screens after each action, (B, H, W) per step, read BLOCK_STEPS at a time."""
    for t0 in range(1, horizon + 1, BLOCK_STEPS):
        block_BTHW = np.stack([e.frames[t0 : min(t0 + BLOCK_STEPS, horizon + 1)] for e in batch])
        yield from block_BTHW.transpose(1, 0, 2, 3)


def _load(source: ModelSource, info: RecordingInfo) -> NeuralComputer:
    """A model for the recording's machine, refused with one line if it emulates another."""
    if isinstance(source, NeuralComputer):
        model = source
    elif str(source) == COPY_LAST_FRAME:  # no weights: made to fit the recording
        copy = ARCHS[COPY_LAST_FRAME]
        palette = [list(c) for c in info.palette]
        model = copy(
            copy.config_class(
                software=info.software, software_options=dict(info.options), width=info.width, height=info.height, palette=palette
            )
        )
    else:
        model = load_model(source)
    c = model.config
    theirs = (c.software, c.software_options, c.width, c.height, [list(p) for p in c.palette])
    ours = (info.software, dict(info.options), info.width, info.height, [list(p) for p in info.palette])
    if theirs != ours:
        raise UserError(
            f"{source if isinstance(source, (str, Path)) else c.arch}: a model of {_machine(*theirs)} "
            f"cannot be measured on a recording of {_machine(*ours)}"
        )
    return model


def _machine(software: str, options: dict, width: int, height: int, palette: list) -> str:
    """E.g. "desktop at 128x128 (13 colours)", or "atari {'game': 'pong'} at 160x210 (128 colours)"."""
    return f"{software}{f' {options}' if options else ''} at {width}x{height} ({len(palette)} colours)"


def _summary(curves: dict[str, np.ndarray | None], horizon: int) -> dict:
    """The JSON of one system: PSNR per step and each measure averaged over steps 1..h."""
    at = {str(h): _means(curves, h) for h in HORIZONS if h <= horizon}
    return {"psnr_by_step": [round(float(v), 4) for v in curves["psnr"]], "at": at}


def _means(curves: dict[str, np.ndarray | None], h: int) -> dict:
    """Each measure averaged over steps 1..h."""
    return {m: _mean(curves[m], h) for m in METRICS}


def _mean(values: np.ndarray | None, h: int) -> float | None:
    """Mean over steps 1..h, skipping undefined ones (NaN); None if none is defined or the measure is not."""
    defined = values[:h][~np.isnan(values[:h])] if values is not None else []
    return round(float(np.mean(defined)), 6) if len(defined) else None
