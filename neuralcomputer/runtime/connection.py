"""One WebSocket of `ncomp play`: a reader that checks each message, an obeyer that steps them in order.

The two run as separate tasks joined by a bounded queue, so a client that sends faster
than its machine steps loses its surplus messages (and is told how many) instead of
piling up work, and bad input is answered at once, without waiting for a step. Only
this connection's task ever touches its session, so sessions never see each other.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError
from neuralcomputer.runtime.downloads import NAMES
from neuralcomputer.runtime.frame_image import frame_png, screen_from_png
from neuralcomputer.runtime.protocol import (
    MAX_QUEUED,
    ChooseModel,
    Command,
    ProtocolError,
    Reboot,
    Record,
    SetTruth,
    error_message,
    frame_message,
    parse_message,
    record_message,
    status_message,
)
from neuralcomputer.runtime.session import Frame, Session

if TYPE_CHECKING:
    from neuralcomputer.runtime.server import PlayServer

CLIENT_GONE = (WebSocketDisconnect, WebSocketDisconnected)  # receiving from / sending to a closed socket


class Connection:
    """Serves one session over one accepted WebSocket until the client leaves or idles out."""

    def __init__(self, websocket: WebSocket, server: PlayServer, session: Session):
        self.websocket, self.server, self.session = websocket, server, session
        self.inbox: asyncio.Queue[Command] = asyncio.Queue(MAX_QUEUED)
        self.dropped_messages = 0  # since the last report
        self.dropped_actions = 0
        self._send_lock = asyncio.Lock()  # a frame's two messages go out together

    async def run(self) -> None:
        await self._send_status()
        await self._send_frame(self.session.frame, "reboot")
        tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._obey())]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when the server cancels this connection: neither task may outlive it
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks)
        for task in done:
            error = None if task.cancelled() else task.exception()
            if error is not None and not isinstance(error, CLIENT_GONE):
                raise error

    async def _read(self) -> None:
        """Check each message and queue it; returns when the client leaves or stays silent too long."""
        idle_s = self.server.settings.idle_timeout_s
        while True:
            try:
                message = await asyncio.wait_for(self.websocket.receive(), idle_s)
            except TimeoutError:
                text = f"idle for {idle_s:g} s, so this session is closed; reload to start a new one"
                await self._send(error_message(text, fatal=True))
                await self.websocket.close(1000)
                return
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is None:
                text = "binary messages are not part of the protocol; send JSON text"
                await self._send(error_message(text, dropped=1))
                continue
            config = self.session.model.config
            try:
                command = parse_message(message["text"], config.width, config.height)
            except ProtocolError as e:
                await self._send(error_message(str(e), dropped=e.dropped))
                continue
            try:
                self.inbox.put_nowait(command)
            except asyncio.QueueFull:
                self.dropped_messages += 1
                self.dropped_actions += isinstance(command, Action)

    async def _obey(self) -> None:
        """Carry out queued commands in order, answering each."""
        while True:
            command = await self.inbox.get()
            try:
                await self._carry_out(command)
            except UserError as e:
                await self._send(error_message(str(e), dropped=int(isinstance(command, Action))))
            if self.dropped_messages:  # reported here, once per command at most, so a flood is not answered in kind
                report = error_message(
                    f"too many messages waiting (at most {MAX_QUEUED}): dropped {self.dropped_messages}; "
                    "send the next action when a frame arrives",
                    dropped=self.dropped_actions,
                )
                self.dropped_messages = self.dropped_actions = 0
                await self._send(report)

    async def _carry_out(self, command: Command) -> None:
        session, server = self.session, self.server
        if isinstance(command, Action):
            await self._send_frame(await server.batcher.step(session, command), "action")
        elif isinstance(command, Reboot):
            screen = None
            if command.png is not None:
                config = session.model.config
                screen = screen_from_png(command.png, session.palette, config.width, config.height)
            frame = session.reboot(screen)
            await self._send_status()
            await self._send_frame(frame, "reboot")
        elif isinstance(command, SetTruth):
            frame = await asyncio.to_thread(session.set_truth, command.on)  # catching up may replay many steps
            await self._send_status()
            await self._send_frame(frame, "truth")
        elif isinstance(command, ChooseModel):
            model = await asyncio.to_thread(server.catalog.load, command.name)
            frame = session.use_model(model, command.name)
            await self._send_status()
            await self._send_frame(frame, "model")
        elif isinstance(command, Record):
            token = await asyncio.to_thread(server.downloads.save, session)
            log, video = (f"/recordings/{token}/{name}" for name in NAMES)
            config = session.model.config
            replay = (
                f"ncomp record {config.software} --actions {NAMES[0]} --seed {session.seed} "
                f"--width {config.width} --height {config.height} --out DIR"
            )
            await self._send(record_message(session.frame.step, log, video, replay))

    async def _send_status(self) -> None:
        await self._send(status_message(self.session, self.server.catalog.names, self.server.live_sessions))

    async def _send_frame(self, frame: Frame, after: str) -> None:
        png = frame_png(frame, self.session.palette)
        async with self._send_lock:
            await self.websocket.send_text(frame_message(frame.step, after))
            await self.websocket.send_bytes(png)

    async def _send(self, text: str) -> None:
        async with self._send_lock:
            await self.websocket.send_text(text)
