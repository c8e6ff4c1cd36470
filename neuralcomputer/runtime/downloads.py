"""Recordings of play sessions, kept in a temporary directory until a browser downloads them.

Each recording gets an unguessable token, so one session cannot fetch another's; only
the newest `KEPT` are kept, so a long-running server does not fill the disk.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from neuralcomputer.runtime.session import Session

KEPT = 32
STEM = "ncomp-play"  # also the downloaded files' names
NAMES = (f"{STEM}.jsonl", f"{STEM}.gif")  # the action log and the video of one recording


class Downloads:
    """A temporary directory of recordings by token; `close()` deletes it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ncomp-play-"))
        self._tokens: OrderedDict[str, Path] = OrderedDict()
        self._lock = threading.Lock()  # recordings are written in worker threads

    def save(self, session: Session) -> str:
        """Write the session's action log and video; returns the token that names them."""
        token = secrets.token_urlsafe(16)
        directory = self.root / token
        directory.mkdir()
        session.save_recording(directory, STEM)
        with self._lock:
            self._tokens[token] = directory
            while len(self._tokens) > KEPT:
                shutil.rmtree(self._tokens.popitem(last=False)[1], ignore_errors=True)
        return token

    def path(self, token: str, name: str) -> Path | None:
        """The file `name` of recording `token`, or None if there is no such file."""
        with self._lock:
            directory = self._tokens.get(token)
        return directory / name if directory is not None and name in NAMES else None

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
