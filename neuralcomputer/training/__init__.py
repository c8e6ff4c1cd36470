"""Training neural computers: `train(TrainConfig(...))`, on one process or under torchrun."""

from neuralcomputer.training.trainer import TrainConfig, train

__all__ = ["TrainConfig", "train"]
