"""Using a neural computer at interactive speed: sessions, batched stepping, a web page, a window.

    from neuralcomputer.runtime.server import serve      # `ncomp play`: the browser page
    from neuralcomputer.runtime.window import run_window  # `ncomp play --window`: a pygame window

Both drive the same `Session` (boot, step, truth, record for one machine); the server
steps many sessions together with `StepBatcher`. The protocol between page and server
is documented in `protocol.py`. The server and the window import their frameworks
(Starlette/uvicorn, pygame) only when imported themselves.
"""

from neuralcomputer.runtime.session import Frame, Session, step_sessions

__all__ = ["Frame", "Session", "step_sessions"]
