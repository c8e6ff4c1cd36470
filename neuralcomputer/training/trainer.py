"""Training a neural computer: closed-loop rollouts over long windows, truncated BPTT, exact resume.

Each window of `sequence` steps boots the model from its first screen and rolls it
forward on the actions alone; every `chunk` steps the per-pixel cross-entropy of all
predicted screens is back-propagated and the optimiser steps. The state is detached,
not reset, between chunks, so the model is trained on its own drift over the whole
window: the closed-loop regime it will run in.

One entry point at every scale: `train(cfg)` runs in one process, or in N under
`torchrun --nproc_per_node=N` (DistributedDataParallel: gloo on CPU, nccl on GPU; the
windows of each batch split across ranks; rank 0 evaluates and writes). A run holds:

    RUN/metrics.jsonl          one JSON object per log line (train/*, eval/*, copy_last_frame/*)
    RUN/tensorboard/           the same scalars for TensorBoard
    RUN/latest/, RUN/best/     model.safetensors + config.json + training_state/ (see state.py)
    RUN/data/                  the recording, when `data` names a software

Budgets, evaluations and checkpoints are looked at between windows, so a run can pass
`max_steps` by less than one window's `sequence / chunk` steps; a resumed run restarts
at the window after its last checkpoint.
"""

from __future__ import annotations

import dataclasses
import math
import os
import random
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from neuralcomputer.errors import UserError
from neuralcomputer.model import ARCHS, NeuralComputer
from neuralcomputer.model.computer import State
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.recordings.info import RecordingInfo
from neuralcomputer.training.closed_loop import closed_loop_scores
from neuralcomputer.training.config import TrainConfig
from neuralcomputer.training.log import MetricsLog
from neuralcomputer.training.state import Progress, load_checkpoint, save_checkpoint
from neuralcomputer.training.windows import (
    LEAD,
    find_events,
    frequent_colors,
    prepare_data,
    spread_windows,
    window_batch,
)


def train(cfg: TrainConfig) -> NeuralComputer:
    """Train, or resume, the run in `cfg.out`; returns the trained model (on every rank)."""
    cfg.validate()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    rank, world, device = _init_distributed()
    if cfg.batch % world:
        raise UserError(f"batch ({cfg.batch}) must be divisible by the number of processes ({world})")
    out = Path(cfg.out)
    barrier = dist.barrier if world > 1 else lambda: None
    root = prepare_data(cfg.data, out, cfg.record_episodes, cfg.record_steps, cfg.record_workers, rank, barrier)
    memory = int(cfg.memory_gb * 2**30)
    train_set = WindowDataset(root, cfg.drift + cfg.sequence, "train", cfg.heldout_fraction, cfg.history, memory)
    heldout = WindowDataset(root, window=cfg.eval_steps, split="heldout", heldout_fraction=cfg.heldout_fraction)
    batches_per_epoch = len(train_set) // cfg.batch
    lead = LEAD + cfg.drift  # an event window meets its event 2 steps after the drift
    events = find_events(train_set, cfg.event_pixels, lead) if cfg.event_share else None

    torch.manual_seed(cfg.seed)
    colors = frequent_colors(train_set, cfg.max_colors)
    model = build_model(cfg.arch, {"colors": colors, **cfg.model}, train_set.recording.info).to(device)
    if not any(p.requires_grad for p in model.parameters()):
        raise UserError(f"{cfg.arch} has no parameters to train")
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.99))
    if cfg.resume:
        progress = load_checkpoint(out / "latest", model, optimizer)
    elif (out / "latest").exists():
        raise UserError(f"{out} already holds a run; resume it (resume=True) or choose another out directory")
    else:
        progress = Progress()
    stepper = model
    if world > 1:
        # A boot with parameters (an encoder) gets gradients from the first chunk of a window only.
        blank = torch.zeros(1, model.config.height, model.config.width, dtype=torch.uint8, device=device)
        boot_learns = any(value.requires_grad for value in model.boot(blank).values())
        stepper = DistributedDataParallel(model, find_unused_parameters=boot_learns)
    eval_windows = spread_windows(heldout, cfg.eval_windows, device) if rank == 0 else None
    log = MetricsLog(out, progress.step) if rank == 0 else None
    if log and progress.step == 0:
        baseline = closed_loop_scores(ARCHS["copy-last-frame"](model.config).to(device), eval_windows)
        log.write(0, {f"copy_last_frame/{k}": v for k, v in baseline.items()})

    bar = tqdm(  # rank 0 only, and only on a terminal (disable=None)
        total=cfg.max_steps or None,
        initial=progress.step,
        unit="step",
        desc=f"train {cfg.arch}",
        disable=True if rank else None,
    )
    clock_start, elapsed_before = time.monotonic(), progress.elapsed
    while not _finished(cfg, progress, world, device):
        tick = time.monotonic()
        boot, held, actions, frames = window_batch(
            train_set,
            cfg.batch,
            cfg.seed,
            progress.epoch,
            progress.batch,
            rank,
            world,
            device,
            events,
            cfg.event_share,
            cfg.event_anywhere,
            lead,
        )
        state = model.boot(boot, held)
        if cfg.drift:
            state = run_closed_loop(model, state, actions[:, : cfg.drift])
            actions, frames = actions[:, cfg.drift :], frames[:, cfg.drift :]
        # Drawn from the data position alone: the same on every rank, and again after a resume.
        forced = random.Random(f"{cfg.seed}/{progress.epoch}/{progress.batch}").random() < cfg.teacher_forcing
        for start in range(0, cfg.sequence, cfg.chunk):
            lr = learning_rate(cfg, progress)
            for group in optimizer.param_groups:
                group["lr"] = lr
            window = (actions[:, start : start + cfg.chunk], frames[:, start : start + cfg.chunk])
            loss, state = stepper(state, *window, teacher_forced=forced, repair=cfg.repair, debris=cfg.debris)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            optimizer.step()
            state = {name: value.detach() for name, value in state.items()}
            progress.step += 1
            bar.update()
            if log and progress.step % cfg.log_every == 0:
                speed = cfg.batch * (start + cfg.chunk) / (time.monotonic() - tick)
                metrics = {"loss": loss.item(), "grad_norm": grad_norm.item(), "lr": lr, "frames_per_s": speed}
                log.write(progress.step, {f"train/{k}": v for k, v in metrics.items()})
                bar.set_postfix(loss=f"{loss.item():.4f}", frames_per_s=f"{speed:.0f}")
        progress.advance(batches_per_epoch)
        progress.elapsed = elapsed_before + time.monotonic() - clock_start
        if rank == 0:
            _evaluate_and_save(cfg, out, model, optimizer, progress, eval_windows, log)
    bar.close()
    if log:
        log.close()
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return model


def build_model(arch: str, overrides: dict, info: RecordingInfo) -> NeuralComputer:
    """A fresh `arch` model for a recording's software, screen size and palette.

    Its `action_schema` is this code's `SCHEMA_VERSION` (the config default): the model
    reads actions as this code encodes them, and the recording reader has already
    refused episodes whose encoding differs.
    """
    config_class = ARCHS[arch].config_class
    names = {f.name for f in dataclasses.fields(config_class)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise UserError(f"{arch} has no config fields {', '.join(unknown)} (it has: {', '.join(sorted(names))})")
    machine = {
        "software": info.software,
        "software_options": dict(info.options),
        "width": info.width,
        "height": info.height,
        "palette": [list(c) for c in info.palette],
        "pointer_color": info.pointer_color,
    }
    return ARCHS[arch](config_class(**{**machine, **overrides}))


def learning_rate(cfg: TrainConfig, progress: Progress) -> float:
    """Linear warmup, then cosine decay to `final_lr` over the run (its steps when given, else its clock)."""
    if progress.step < cfg.warmup:
        return cfg.lr * (progress.step + 1) / cfg.warmup
    done = progress.step / cfg.max_steps if cfg.max_steps else progress.elapsed / (60 * cfg.minutes)
    return cfg.lr * (cfg.final_lr + (1 - cfg.final_lr) * 0.5 * (1 + math.cos(math.pi * min(done, 1.0))))


@torch.no_grad()
def run_closed_loop(model: NeuralComputer, state: State, actions_BTA: torch.Tensor) -> State:
    """The state after `model` ran on the actions alone: where a window starts with `drift`.

    Closed loop, a model's small mistakes grow over tens of steps into patches no real
    screen has, and its keep gate copies them on; teacher forced from true screens it never
    meets them, so it never learns to clear them (the DAgger argument). A window that starts
    from the model's own drift scores its first step from that state, screen and memory,
    against the true next screen. Unscored, so it costs forward steps only, taken with
    `step`'s fast path.
    """
    for t in range(actions_BTA.shape[1]):
        state, _ = model.step(state, actions_BTA[:, t])
    return state


def _evaluate_and_save(cfg, out, model, optimizer, progress, eval_windows, log) -> None:
    """Rank 0, between windows: closed-loop evaluation (keeping RUN/best) and RUN/latest when due."""
    last = _budget_spent(cfg, progress)
    if last or progress.step - progress.last_eval >= cfg.eval_every:
        progress.last_eval = progress.step
        scores = closed_loop_scores(model, eval_windows)
        log.write(progress.step, {f"eval/{k}": v for k, v in scores.items()})
        if progress.best is None or scores["psnr"] > progress.best:
            progress.best = scores["psnr"]
            save_checkpoint(out / "best", model, optimizer, progress, cfg)
    if last or progress.step - progress.last_checkpoint >= cfg.ckpt_every:
        progress.last_checkpoint = progress.step
        save_checkpoint(out / "latest", model, optimizer, progress, cfg)


def _budget_spent(cfg: TrainConfig, progress: Progress) -> bool:
    steps_spent = cfg.max_steps and progress.step >= cfg.max_steps
    return bool(steps_spent or (cfg.minutes and progress.elapsed >= 60 * cfg.minutes))


def _finished(cfg: TrainConfig, progress: Progress, world: int, device: torch.device) -> bool:
    """Whether the budget is spent. With several ranks, rank 0's clock is everyone's (so are their schedules)."""
    if world > 1:
        elapsed = torch.tensor([progress.elapsed], dtype=torch.float64, device=device)
        dist.broadcast(elapsed, src=0)
        progress.elapsed = elapsed.item()
    return _budget_spent(cfg, progress)


def _init_distributed() -> tuple[int, int, torch.device]:
    """(rank, world size, device): a lone process, or the one torchrun's environment says this is."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    cuda = torch.cuda.is_available()
    device = torch.device(f"cuda:{os.environ.get('LOCAL_RANK', '0')}" if cuda else "cpu")
    if world == 1:
        return 0, 1, device
    if cuda:
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if cuda else "gloo")
    return dist.get_rank(), world, device
