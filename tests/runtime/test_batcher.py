"""The step batcher: concurrent steps share one forward pass, and each session gets its own frame."""

import asyncio

import numpy as np
from lively_model import lively_model

from neuralcomputer.actions import Action
from neuralcomputer.runtime import Session, step_sessions
from neuralcomputer.runtime.batcher import StepBatcher


def test_concurrent_steps_run_as_one_batch():
    model = lively_model()
    actions = [Action(key="a"), Action(mouse=(9, 9)), Action(button="down")]
    expected = [f.screen for f in step_sessions([Session(model, "tiny", seed=s) for s in range(3)], actions)]

    async def play():
        batcher = StepBatcher(window_s=10.0)  # long: the batch must go when all members have asked, not at the deadline
        batcher.members = 3
        worker = asyncio.create_task(batcher.run())
        sessions = [Session(model, "tiny", seed=s) for s in range(3)]
        started = asyncio.get_running_loop().time()
        frames = await asyncio.gather(*(batcher.step(s, a) for s, a in zip(sessions, actions)))
        elapsed = asyncio.get_running_loop().time() - started
        worker.cancel()
        return frames, batcher.largest_batch, elapsed

    frames, largest, elapsed = asyncio.run(play())
    assert largest == 3 and elapsed < 5.0
    for frame, screen in zip(frames, expected):
        assert frame.step == 1
        np.testing.assert_array_equal(frame.screen, screen)


def test_models_are_batched_apart_and_a_lone_step_does_not_wait():
    one, two = lively_model(0), lively_model(1)

    async def play():
        batcher = StepBatcher(window_s=10.0)
        batcher.members = 2
        worker = asyncio.create_task(batcher.run())
        a, b = Session(one, "one"), Session(two, "two")
        frames = await asyncio.gather(batcher.step(a, Action(key="a")), batcher.step(b, Action(key="a")))
        batcher.members = 1
        started = asyncio.get_running_loop().time()
        await batcher.step(a, Action())
        elapsed = asyncio.get_running_loop().time() - started
        worker.cancel()
        return frames, elapsed

    frames, elapsed = asyncio.run(play())
    assert [f.step for f in frames] == [1, 1] and elapsed < 5.0
