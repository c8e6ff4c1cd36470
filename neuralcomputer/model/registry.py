"""Every architecture by name (`ARCHS`), and the models shipped in `neuralcomputer/pretrained/`."""

from __future__ import annotations

import math
from pathlib import Path

from safetensors import safe_open

from neuralcomputer.errors import UserError
from neuralcomputer.model.checkpoint import CONFIG_FILE, WEIGHTS_FILE, read_json
from neuralcomputer.model.computer import NeuralComputer
from neuralcomputer.model.copy_last_frame import CopyLastFrame
from neuralcomputer.model.grid_gru import GridGRU
from neuralcomputer.model.seed_gru import SeedGRU

ARCHS: dict[str, type[NeuralComputer]] = {
    model_class.config_class.arch: model_class for model_class in (CopyLastFrame, SeedGRU, GridGRU)
}
PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"


def shipped_names() -> list[str]:
    """Names of the models shipped with the package, sorted."""
    if not PRETRAINED_DIR.is_dir():
        return []
    return sorted(p.name for p in PRETRAINED_DIR.iterdir() if (p / CONFIG_FILE).exists())


def resolve_checkpoint(name_or_dir: str | Path) -> Path:
    """A checkpoint directory from a path or a shipped model's name."""
    path = Path(name_or_dir)
    if (path / CONFIG_FILE).exists():
        return path
    if (PRETRAINED_DIR / str(name_or_dir) / CONFIG_FILE).exists():
        return PRETRAINED_DIR / str(name_or_dir)
    if path.is_dir():
        raise UserError(f"{path}: no {CONFIG_FILE} here (expected a checkpoint directory with {WEIGHTS_FILE})")
    names = ", ".join(shipped_names()) or "none installed"
    raise UserError(f"{name_or_dir}: neither a checkpoint directory nor a shipped model (shipped: {names})")


def load_model(name_or_dir: str | Path, **expected: int) -> NeuralComputer:
    """Load any architecture's checkpoint; `width=`/`height=` refuse a different screen size."""
    return NeuralComputer.from_pretrained(name_or_dir, **expected)


def list_models() -> list[dict]:
    """The shipped models, one dict each: name, arch, software, size, params, file size in bytes."""
    rows = []
    for name in shipped_names():
        directory = PRETRAINED_DIR / name
        config = read_json(directory / CONFIG_FILE)
        weights = directory / WEIGHTS_FILE
        with safe_open(str(weights), framework="pt") as f:
            params = sum(math.prod(f.get_slice(key).get_shape()) for key in f.keys())
        rows.append(
            {
                "name": name,
                "arch": config.get("arch"),
                "software": config.get("software"),
                "size": f"{config.get('width')}x{config.get('height')}",
                "params": params,
                "file_size": weights.stat().st_size,
            }
        )
    return rows

