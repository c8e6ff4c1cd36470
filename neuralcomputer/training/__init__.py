"""Training neural computers: `train(TrainConfig(...))`, on one process or under torchrun."""

from neuralcomputer.training.config import TrainConfig


def train(cfg: TrainConfig):
    """Train, or resume, the run in `cfg.out` (see `trainer.train`); torch is imported only now."""
    from neuralcomputer.training.trainer import train as run

    return run(cfg)


__all__ = ["TrainConfig", "train"]
