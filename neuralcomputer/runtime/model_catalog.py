"""The models one `ncomp play` offers: each loaded once, on first use, and shared by every session.

Only names listed here can be loaded from a page: a model name from a client is never
taken as a path, so a page cannot make the server read arbitrary directories.

With `compile`, each model's step is compiled when it loads (`NeuralComputer.compile_step`),
for one machine and for a batch of several, so that no player waits for the compiler later.
"""

from __future__ import annotations

import threading
from typing import Sequence

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError
from neuralcomputer.model import NeuralComputer, list_models, load_model
from neuralcomputer.runtime.session import Session, step_sessions


class ModelCatalog:
    """The startup model plus `choices` (default: the shipped models), loaded lazily onto `device` [and compiled]."""

    def __init__(
        self, startup: str, choices: Sequence[str] | None = None, device: str = "cpu", compile: bool = False
    ):
        offered = [row["name"] for row in list_models()] if choices is None else list(choices)
        self.names = list(dict.fromkeys([startup, *offered]))  # the startup model first, no repeats
        self.device = device
        self.compile = compile
        self._loaded: dict[str, NeuralComputer] = {}
        self._lock = threading.Lock()  # sessions switching at once load a model once

    def load(self, name: str) -> NeuralComputer:
        """The model called `name`, in eval mode on the catalog's device."""
        if name not in self.names:
            raise UserError(f"model {name!r} is not offered here (offered: {', '.join(self.names)})")
        with self._lock:
            if name not in self._loaded:
                model = load_model(name).to(self.device).eval()
                self._loaded[name] = compiled_for_play(model) if self.compile else model
            return self._loaded[name]


def compiled_for_play(model: NeuralComputer) -> NeuralComputer:
    """The model with its step compiled, and stepped once for one session and once for two.

    The compiled step specialises on the batch size: a first call compiles it for one
    machine, and a second size makes the batch dynamic, so any number of sessions
    stepped together later finds a compiled step ready. Warming up through
    `step_sessions` gives the step the very inputs play gives it.
    """
    model.compile_step()
    sessions = [Session(model, "warm-up"), Session(model, "warm-up")]
    step_sessions(sessions[:1], [Action()])
    step_sessions(sessions, [Action(), Action()])
    return model
