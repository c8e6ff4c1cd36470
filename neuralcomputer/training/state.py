"""A training run's checkpoint: the model plus everything needed to continue it exactly.

    RUN/latest/model.safetensors, config.json       the model (loadable with `load_model`)
    RUN/latest/training_state/
        optimizer_state.safetensors                  AdamW moments and step counts
        rng_state.safetensors                        torch RNG states
        training_state.json                          progress (step, data position, clock,
                                                     best score), optimiser hyper-parameters,
                                                     and the TrainConfig that made it

Tensors go to safetensors and everything else to JSON: nothing is pickled.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import torch

from neuralcomputer.errors import UserError
from neuralcomputer.model import NeuralComputer
from neuralcomputer.model.checkpoint import (
    atomic_directory,
    previous_directory,
    read_json,
    read_tensors,
    write_json,
    write_tensors,
)

STATE_DIR = "training_state"


@dataclass
class Progress:
    """Where a run is: optimiser steps, the next window batch, the clock, the best score."""

    step: int = 0
    epoch: int = 0
    batch: int = 0  # next window batch of the epoch
    elapsed: float = 0.0  # seconds of training over all sessions
    best: float | None = None  # best closed-loop PSNR seen in evaluation
    last_eval: int = 0  # step of the last evaluation
    last_checkpoint: int = 0  # step of the last RUN/latest

    def advance(self, batches_per_epoch: int) -> None:
        """Move to the next window batch, and to the next epoch after the last one."""
        self.batch += 1
        if self.batch >= batches_per_epoch:
            self.epoch, self.batch = self.epoch + 1, 0


def save_checkpoint(
    directory: Path, model: NeuralComputer, optimizer: torch.optim.Optimizer, progress: Progress, train_config: object
) -> None:
    """Write model + training state to `directory`, atomically."""
    with atomic_directory(directory) as scratch:
        model.write_files(scratch)
        state_dir = scratch / STATE_DIR
        state_dir.mkdir()
        optimizer_state = optimizer.state_dict()
        write_tensors(
            state_dir / "optimizer_state.safetensors",
            {
                f"{param}.{name}": value
                for param, values in optimizer_state["state"].items()
                for name, value in values.items()
            },
        )
        rng = {"torch": torch.get_rng_state()}
        if torch.cuda.is_available():
            rng |= {f"cuda.{i}": s for i, s in enumerate(torch.cuda.get_rng_state_all())}
        write_tensors(state_dir / "rng_state.safetensors", rng)
        write_json(
            state_dir / "training_state.json",
            {
                "progress": dataclasses.asdict(progress),
                "param_groups": optimizer_state["param_groups"],
                "train_config": dataclasses.asdict(train_config),
            },
        )


def load_checkpoint(directory: Path, model: NeuralComputer, optimizer: torch.optim.Optimizer) -> Progress:
    """Restore model, optimiser and RNG from `directory` into this run; returns its progress.

    A checkpoint of another architecture, screen, palette or model size is refused.
    """
    if not directory.exists() and previous_directory(directory).exists():
        directory = previous_directory(directory)  # killed between the two renames of a save
    if not directory.exists():
        raise UserError(f"{directory}: nothing to resume (no checkpoint was written yet); start without resume")
    saved = NeuralComputer.from_pretrained(directory)
    if saved.config != model.config:
        ours, theirs = model.config.to_dict(), saved.config.to_dict()
        differs = [f"{k}: {theirs.get(k)!r} there, {ours.get(k)!r} here" for k in ours if ours[k] != theirs.get(k)]
        raise UserError(f"{directory}: cannot resume, the checkpoint's model differs ({'; '.join(differs)})")
    model.load_state_dict(saved.state_dict())
    state_dir = directory / STATE_DIR
    meta = read_json(state_dir / "training_state.json")
    moments: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in read_tensors(state_dir / "optimizer_state.safetensors").items():
        param, name = key.split(".", 1)
        moments.setdefault(int(param), {})[name] = value
    optimizer.load_state_dict({"state": moments, "param_groups": meta["param_groups"]})
    rng = read_tensors(state_dir / "rng_state.safetensors")
    torch.set_rng_state(rng["torch"])
    if torch.cuda.is_available():
        torch.cuda.set_rng_state_all([rng[f"cuda.{i}"] for i in range(torch.cuda.device_count()) if f"cuda.{i}" in rng])
    return Progress(**meta["progress"])
