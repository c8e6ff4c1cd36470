"""`TrainConfig`: every knob of a training run, with defaults that work, and nothing that imports torch.

Kept apart from the trainer so that `ncomp train --help` shows these defaults without
paying for torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from neuralcomputer.errors import UserError
from neuralcomputer.recordings.split import HELDOUT_FRACTION


@dataclass
class TrainConfig:
    data: str = "desktop"  # a recording directory, or a software name: record OUT/data first
    out: str = "runs/train"
    arch: str = "grid-gru"
    model: dict = field(default_factory=dict)  # architecture fields over its defaults, e.g. {"channels": 48}
    minutes: float = 5.0  # wall-clock budget over all sessions of the run; 0 = none
    max_steps: int = 0  # optimiser steps; 0 = until the time budget is spent. The schedule follows it when set
    batch: int = 8  # windows per optimiser step, over all ranks
    sequence: int = 64  # steps per window; the state is carried across its chunks
    chunk: int = 16  # truncated-BPTT length: steps per optimiser step
    lr: float = 2e-3
    final_lr: float = 0.1  # the cosine schedule ends at this fraction of lr
    warmup: int = 20  # optimiser steps of linear warmup
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    log_every: int = 10  # optimiser steps
    eval_every: int = 100  # optimiser steps between closed-loop evaluations on held-out episodes
    eval_windows: int = 16
    eval_steps: int = 100  # closed-loop horizon of each evaluation window
    ckpt_every: int = 100  # optimiser steps between checkpoints of RUN/latest
    heldout_fraction: float = HELDOUT_FRACTION  # the same split evaluation uses
    seed: int = 0
    resume: bool = False  # continue RUN/latest where it stopped
    threads: int = 0  # torch CPU threads; 0 = torch's default
    teacher_forcing: float = 0.0  # share of windows trained teacher forced (see NeuralComputer.forward)
    repair: float = 0.0  # teacher forced: up to this share of each screen stays the model's own (see forward)
    debris: float = 0.0  # teacher forced: up to this share of each screen is another window's (see forward)
    event_share: float = 0.0  # share of each batch's windows that start just before an event (see windows.py)
    event_pixels: float = 0.02  # an event: a step that changes at least this share of the screen
    event_anywhere: bool = False  # each event window holds its event at a random step, not 2 steps in
    history: int = 0  # true screens watched before each window, so registers like `under` start as they would
    drift: int = 0  # steps each window first runs closed loop on its actions, unscored: it starts from its own drift
    memory_gb: float = 8.0  # GiB of decompressed training frames each process keeps (1000x500 desktop: 7.4)
    max_colors: int = 64  # a bigger palette is cut to its most frequent colours in the data (see frequent_colors)
    record_episodes: int = 1000  # when `data` names a software (the shipped desktop: 1000 x 500 steps)
    record_steps: int = 500
    record_workers: int = 1

    def validate(self) -> None:
        from neuralcomputer.model import ARCHS  # imports torch: only when a run starts

        if self.arch not in ARCHS:
            raise UserError(f"unknown architecture {self.arch!r} (known: {', '.join(ARCHS)})")
        if self.chunk < 1 or self.sequence % self.chunk:
            raise UserError(f"sequence ({self.sequence}) must be a positive multiple of chunk ({self.chunk})")
        if self.minutes <= 0 and self.max_steps <= 0:
            raise UserError("give a time budget (minutes) or a number of steps (max_steps), or both")
        if self.drift < 0:
            raise UserError(f"drift must be 0 or more steps, got {self.drift}")
        if self.memory_gb < 0:
            raise UserError(f"memory_gb must be 0 or more, got {self.memory_gb}")
        for name in ("teacher_forcing", "repair", "debris", "event_share", "event_pixels"):
            if not 0 <= getattr(self, name) <= 1:
                raise UserError(f"{name} is a share, between 0 and 1; got {getattr(self, name)}")
        for name in ("repair", "debris"):
            if getattr(self, name) and not self.teacher_forcing:
                raise UserError(f"{name} changes teacher forced windows only; give teacher_forcing a share above 0 too")
