"""The models one `ncomp play` offers: each loaded once, on first use, and shared by every session.

Only names listed here can be loaded from a page: a model name from a client is never
taken as a path, so a page cannot make the server read arbitrary directories.
"""

from __future__ import annotations

import threading
from typing import Sequence

from neuralcomputer.errors import UserError
from neuralcomputer.model import NeuralComputer, list_models, load_model


class ModelCatalog:
    """The startup model plus `choices` (default: the shipped models), loaded lazily onto `device`."""

    def __init__(self, startup: str, choices: Sequence[str] | None = None, device: str = "cpu"):
        offered = [row["name"] for row in list_models()] if choices is None else list(choices)
        self.names = list(dict.fromkeys([startup, *offered]))  # the startup model first, no repeats
        self.device = device
        self._loaded: dict[str, NeuralComputer] = {}
        self._lock = threading.Lock()  # sessions switching at once load a model once

    def load(self, name: str) -> NeuralComputer:
        """The model called `name`, in eval mode on the catalog's device."""
        if name not in self.names:
            raise UserError(f"model {name!r} is not offered here (offered: {', '.join(self.names)})")
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = load_model(name).to(self.device).eval()
            return self._loaded[name]
