"""Neural computer models: one `NeuralComputer` API, several architectures (`ARCHS`).

    model = load_model("desktop-grid-gru")      # a shipped name or a checkpoint directory
    state = model.boot(screens_BHW)             # uint8 palette indices
    state, screens_BHW = model.step(state, actions_BA)
"""

from neuralcomputer.model.computer import ModelConfig, NeuralComputer, State
from neuralcomputer.model.registry import ARCHS, list_models, load_model

__all__ = ["ARCHS", "ModelConfig", "NeuralComputer", "State", "list_models", "load_model"]
