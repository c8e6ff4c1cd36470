"""The play server's models: offered by name only, loaded once, and compiled before anyone plays."""

import numpy as np
import pytest
import torch

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError
from neuralcomputer.model import load_model
from neuralcomputer.runtime import Session, step_sessions
from neuralcomputer.runtime.model_catalog import ModelCatalog


def test_only_offered_models_load_and_each_loads_once(model_dir):
    catalog = ModelCatalog(str(model_dir), [])
    assert catalog.load(str(model_dir)) is catalog.load(str(model_dir))
    with pytest.raises(UserError, match="not offered"):
        catalog.load("/etc")


def test_a_compiled_catalog_model_is_ready_for_any_number_of_sessions(model_dir):
    """Loading compiles the step for one machine and for several; no batch of sessions compiles it again, and
    the compiled step shows what the eager one shows."""
    graphs = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    model = ModelCatalog(str(model_dir), [], compile=True).load(str(model_dir))
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] == graphs + 2
    eager = load_model(str(model_dir)).eval()
    for machines in (1, 3, 2):
        sessions = [Session(model, "tiny", seed=s) for s in range(machines)]
        actions = [Action(mouse=(20 + s, 30)) for s in range(machines)]
        frames = step_sessions(sessions, actions)
        expected = step_sessions([Session(eager, "tiny", seed=s) for s in range(machines)], actions)
        for frame, want in zip(frames, expected):
            np.testing.assert_array_equal(frame.screen, want.screen)
        step_sessions(sessions, actions)  # from states a step left, not a boot
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] == graphs + 2
