"""Checkpoints on disk: safetensors for tensors, JSON for everything else, written atomically.

A checkpoint directory holds `model.safetensors` + `config.json` (the LeRobot layout),
and a training run adds `training_state/`. Nothing is ever unpickled, so a checkpoint
from a stranger can be opened without running their code. Directories are written
beside their final place and renamed into it, so a run killed mid-save leaves the
previous checkpoint whole (DIAMOND writes `.tmp` then renames the same way).
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from neuralcomputer.errors import UserError

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"


@contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield an empty scratch directory that replaces `path` only once the block succeeds.

    The old directory is renamed aside before the new one is renamed in; if a crash
    falls between the two renames, `path` is missing and `previous_directory(path)`
    still holds the old one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    try:
        yield scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    old = previous_directory(path)
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    scratch.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def previous_directory(path: str | Path) -> Path:
    """Where `atomic_directory` keeps the old `path` during a swap."""
    path = Path(path)
    return path.with_name(f".{path.name}.old")


def write_json(path: str | Path, obj: object) -> None:
    Path(path).write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")


def read_json(path: str | Path) -> dict:
    """A JSON object from `path`, or a UserError saying what is wrong with the file."""
    path = Path(path)
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: missing (is this a neuralcomputer checkpoint?)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(obj, dict):
        raise UserError(f"{path}: expected a JSON object")
    return obj


def write_tensors(path: str | Path, tensors: dict[str, torch.Tensor]) -> None:
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(path))


def read_tensors(path: str | Path) -> dict[str, torch.Tensor]:
    """Tensors from a safetensors file, or a UserError if it is missing or damaged."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: missing (is this a neuralcomputer checkpoint?)")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError) as e:
        raise UserError(f"{path}: not a readable safetensors file ({e})") from None
