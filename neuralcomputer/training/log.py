"""Training metrics, written as JSON Lines (RUN/metrics.jsonl) and to TensorBoard (RUN/tensorboard/)."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from torch.utils.tensorboard import SummaryWriter


class MetricsLog:
    """Appends one JSON object per call; on resume, lines past the checkpoint's step are dropped first."""

    def __init__(self, out: Path, step: int):
        out.mkdir(parents=True, exist_ok=True)
        self.path = out / "metrics.jsonl"
        if self.path.exists():
            lines = self.path.read_text(encoding="utf-8").splitlines()
            kept = [line for line in lines if json.loads(line)["step"] <= step]
            self.path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
        self.file = self.path.open("a", encoding="utf-8")
        self.board = SummaryWriter(str(out / "tensorboard"), purge_step=step or None)

    def write(self, step: int, values: dict[str, float]) -> None:
        self.file.write(json.dumps({"step": step, "time": round(time.time(), 3), **values}) + "\n")
        self.file.flush()
        for name, value in values.items():
            if math.isfinite(value):
                self.board.add_scalar(name, value, step)

    def close(self) -> None:
        self.file.close()
        self.board.close()
