"""`ncomp play`: a local web server where people use a neural computer in the browser.

A Starlette app on uvicorn: `/` serves the page (plain HTML, JS and CSS from `static/`),
`/ws` speaks the play protocol (see `protocol.py`), `/recordings/TOKEN/FILE` hands out
recorded sessions. Every connection is its own machine; their steps are batched into
one forward pass per model by `StepBatcher`. Above `max_sessions` a new connection is
told "busy" and closed, so the ones running keep their speed; sessions silent for
`idle_timeout_s` are closed and freed. It listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from neuralcomputer.errors import UserError
from neuralcomputer.runtime.batcher import StepBatcher
from neuralcomputer.runtime.connection import Connection
from neuralcomputer.runtime.downloads import KEPT, Downloads
from neuralcomputer.runtime.model_catalog import ModelCatalog
from neuralcomputer.runtime.protocol import BUSY_CLOSE_CODE, MAX_MESSAGE_CHARS, error_message
from neuralcomputer.runtime.session import Session

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_SESSIONS = 16  # above this a new connection is told "busy", so the running ones keep their speed
IDLE_TIMEOUT_S = 600.0  # a session with no message for this long is closed


@dataclass
class ServerSettings:
    model: str  # a shipped model's name or a checkpoint directory
    choices: Sequence[str] | None = None  # other models a page may switch to; None: the shipped ones
    max_sessions: int = MAX_SESSIONS
    idle_timeout_s: float = IDLE_TIMEOUT_S
    batch_window_s: float = 0.003  # how long a step waits for other sessions' steps to share its forward pass
    seed: int = 0  # places the software's pointer at boot (and replays recorded logs the same)
    device: str = "cpu"
    compile: bool = False  # compile each model's step as it loads (`compile_step`): minutes once, faster steps


class PlayServer:
    """The state behind one app: the models, the batcher, the recordings, the live session count."""

    def __init__(self, settings: ServerSettings):
        self.settings = settings
        self.catalog = ModelCatalog(settings.model, settings.choices, settings.device, settings.compile)
        Session(self.catalog.load(settings.model), settings.model)  # a model that cannot boot fails before anything listens
        self.live_sessions = 0
        self.batcher = StepBatcher(settings.batch_window_s)
        self.downloads = Downloads()

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        worker = asyncio.create_task(self.batcher.run())
        try:
            yield
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
            self.downloads.close()

    async def play(self, websocket: WebSocket) -> None:
        await websocket.accept()
        if self.live_sessions >= self.settings.max_sessions:
            text = f"busy: {self.live_sessions} sessions are running, the most this server allows; try again later"
            await websocket.send_text(error_message(text, fatal=True))
            await websocket.close(BUSY_CLOSE_CODE)
            return
        self.live_sessions += 1
        self.batcher.members += 1
        try:
            session = Session(self.catalog.load(self.settings.model), self.settings.model, seed=self.settings.seed)
            await Connection(websocket, self, session).run()
        finally:
            self.live_sessions -= 1
            self.batcher.members -= 1

    async def page(self, request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html")

    async def download(self, request: Request) -> Response:
        path = self.downloads.path(request.path_params["token"], request.path_params["name"])
        if path is None:
            return PlainTextResponse(f"no such recording (the newest {KEPT} are kept while the server runs)", 404)
        return FileResponse(path, filename=path.name)


def create_app(settings: ServerSettings) -> Starlette:
    """The ASGI app; loads the startup model now (raises UserError if it cannot)."""
    server = PlayServer(settings)
    app = Starlette(
        routes=[
            Route("/", server.page),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            WebSocketRoute("/ws", server.play),
            Route("/recordings/{token}/{name}", server.download),
        ],
        lifespan=server.lifespan,
    )
    app.state.server = server
    return app


def serve(
    model: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    max_sessions: int = MAX_SESSIONS,
    idle_timeout_s: float = IDLE_TIMEOUT_S,
    seed: int = 0,
    device: str = "cpu",
    choices: Sequence[str] | None = None,
    compile: bool = False,
) -> None:
    """Serve the play page until interrupted, printing its URL first; port 0 picks a free port."""
    settings = ServerSettings(
        model,
        choices,
        max_sessions=max_sessions,
        idle_timeout_s=idle_timeout_s,
        seed=seed,
        device=device,
        compile=compile,
    )
    app = create_app(settings)
    server, listener = _uvicorn(app, host, port)
    print(f"ncomp play: {settings.model} at {_url(listener)} (Ctrl+C to stop)", flush=True)
    server.run(sockets=[listener])


class BackgroundServer:
    """A play server on a free loopback port in a thread, for benchmarks and tests: `with BackgroundServer(s) as srv`."""

    def __init__(self, settings: ServerSettings, host: str = "127.0.0.1"):
        self.app = create_app(settings)
        self._server, self._listener = _uvicorn(self.app, host, 0)
        self.url = _url(self._listener)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._listener]}, daemon=True)

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the play server stopped while starting")
            self._thread.join(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)


def _uvicorn(app: Starlette, host: str, port: int) -> tuple[uvicorn.Server, socket.socket]:
    """A uvicorn server for `app` and the socket it will listen on, bound now so a taken port is a clear error."""
    # IPPROTO_TCP explicitly: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets that say so,
    # and with it on, a frame's PNG waits ~40 ms behind its JSON header for the client's delayed ACK.
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen()  # now, so clients that connect before uvicorn runs wait instead of being refused
    except OSError as e:
        listener.close()
        raise UserError(f"cannot listen on {host}:{port} ({e.strerror}); pick another --port or --host") from None
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws_max_size=4 * MAX_MESSAGE_CHARS,  # the protocol answers anything over MAX_MESSAGE_CHARS; this only stops abuse
    )
    return uvicorn.Server(config), listener


def _url(listener: socket.socket) -> str:
    host, port = listener.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"
