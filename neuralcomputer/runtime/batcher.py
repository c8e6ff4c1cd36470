"""Steps of many sessions run together: one forward pass per model instead of one per session.

A network's step costs nearly the same for one machine as for several (a batch fills the
hardware that one machine leaves idle), so the server gathers the steps that sessions ask
for within a few milliseconds, runs `step_sessions` once per model over all of them and
hands each session its own frame. A batch goes as soon as every member session has asked,
so a lone session never waits for the window. The forward pass runs in one worker thread,
so the event loop keeps reading sockets (torch releases the GIL while it computes).
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from neuralcomputer.actions import Action
from neuralcomputer.runtime.session import Frame, Session, step_sessions


class StepBatcher:
    """Gathers `step` calls for up to `window_s` and runs them as batches; `run()` is its worker task."""

    def __init__(self, window_s: float = 0.003):
        self.window_s = window_s
        self.members = 0  # sessions that may ask for a step; each has at most one step pending
        self.largest_batch = 0
        self._pending: list[tuple[Session, Action, asyncio.Future[Frame]]] = []
        self._arrived = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ncomp-step")

    async def step(self, session: Session, action: Action) -> Frame:
        """Step one session; returns when its batch has run."""
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._pending.append((session, action, future))
        self._arrived.set()
        return await future

    async def run(self) -> None:
        """Run batches forever (until cancelled)."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                await self._gather()
                batch, self._pending = self._pending, []
                self.largest_batch = max(self.largest_batch, len(batch))
                groups: dict[int, list[tuple[Session, Action, asyncio.Future[Frame]]]] = {}
                for item in batch:
                    groups.setdefault(id(item[0].model), []).append(item)
                for group in groups.values():
                    sessions, actions, futures = zip(*group)
                    try:
                        frames = await loop.run_in_executor(self._executor, step_sessions, sessions, actions)
                    except Exception as e:  # a bug in a model: its sessions fail, the others go on
                        for future in futures:
                            if not future.done():
                                future.set_exception(e)
                        continue
                    for future, frame in zip(futures, frames):
                        if not future.done():  # a session that left meanwhile cancelled its future
                            future.set_result(frame)
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def _gather(self) -> None:
        """Wait for a first step, then for the others until every member has asked or the window ends."""
        while not self._pending:
            self._arrived.clear()
            await self._arrived.wait()
        deadline = time.perf_counter() + self.window_s
        while len(self._pending) < self.members:
            left = deadline - time.perf_counter()
            if left <= 0:
                return
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                return
