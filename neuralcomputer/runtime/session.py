"""One machine a person uses: boot a neural computer, step it on actions, check it, record it.

This is the play loop of DIAMOND's `WorldModelEnv` (reset/step) for one machine, shared
by the web server (many sessions, stepped together by `StepBatcher`) and the pygame
window (one). Every session has its own model state; `step_sessions` stacks the states
of several sessions of one model along the batch dimension, runs one forward pass and
splits the result back, so batching never lets one machine see another's memory.

"Truth" is the real software run on the same actions. It costs nothing while off:
turning it on replays the actions it has not seen yet, so it can be switched on at any
step of a session booted from the software's own first screen.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from neuralcomputer.actions import Action, encode_actions, write_action_log
from neuralcomputer.errors import UserError
from neuralcomputer.model import NeuralComputer, State
from neuralcomputer.recordings.video import write_video
from neuralcomputer.software import make_software

VIDEO_FRAMES = 3000  # neural frames kept for the video of a recording (~50 MB at 128x128); older ones are dropped
VIDEO_FPS = 15.0  # for software without a clock: plays a typical session at about the speed it was used


@dataclass(frozen=True)
class Frame:
    """What one step shows: the neural screen and, with truth on, the real one beside it."""

    step: int  # actions applied since the last boot
    screen: np.ndarray  # (H, W) uint8 palette indices: the neural computer's screen
    real: np.ndarray | None  # (H, W) uint8: the real software after the same actions; None unless truth is on


class Session:
    """One neural computer, booted from its software's first screen (or a screenshot) and stepped on actions."""

    def __init__(self, model: NeuralComputer, model_name: str, seed: int = 0, video_frames: int = VIDEO_FRAMES):
        self.seed = seed  # places the software's pointer at boot; a recorded log replays with the same seed
        self.truth = False
        self._video_frames = video_frames
        self.use_model(model, model_name)

    @property
    def palette(self) -> np.ndarray:
        """The model's palette, (K, 3) uint8 RGB."""
        return np.asarray(self.model.config.palette, dtype=np.uint8)

    @property
    def booted_from_software(self) -> bool:
        """False after a boot from a screenshot: then the real software cannot follow (no truth)."""
        return self._real_steps is not None

    def use_model(self, model: NeuralComputer, model_name: str) -> Frame:
        """Switch to another model (a machine's state belongs to one model) and boot it afresh."""
        config = model.config
        self.software = make_software(config.software, config.width, config.height, **config.software_options)
        self.model, self.model_name = model, model_name
        self._device = next(model.parameters(), torch.empty(0)).device
        return self.reboot()

    def reboot(self, screen: np.ndarray | None = None) -> Frame:
        """Boot again from the software's first screen, or from `screen` (H, W) uint8 palette indices."""
        if screen is None:
            screen = self.software.reset(self.seed)
            self._real_steps: int | None = 0  # actions the real software has applied since its reset
            self._real_now = screen  # its screen after them
        else:
            self._real_steps = None
            self.truth = False
        with torch.inference_mode():
            self._state: State = self.model.boot(torch.from_numpy(screen).to(self._device)[None])
        self._actions: list[Action] = []
        self._video: deque[np.ndarray] = deque([screen], maxlen=self._video_frames)
        self.frame = Frame(0, screen, self._real_screen() if self.truth else None)
        return self.frame

    def set_truth(self, on: bool) -> Frame:
        """Show the real software beside the neural screen (or stop); returns the current frame."""
        if on and not self.booted_from_software:
            raise UserError(
                "truth needs a machine booted from the software's first screen, and this one was booted "
                "from a screenshot; reboot without one to compare with the real software"
            )
        self.truth = on
        self.frame = Frame(self.frame.step, self.frame.screen, self._real_screen() if on else None)
        return self.frame

    def step(self, action: Action) -> Frame:
        """Apply one action; return the next frame."""
        return step_sessions([self], [action])[0]

    def recording(self) -> tuple[list[Action], np.ndarray]:
        """The actions since the last boot, and the last (up to `video_frames`) neural screens (T, H, W)."""
        return list(self._actions), np.stack(self._video)

    def save_recording(self, directory: str | Path, stem: str, video_suffix: str = ".gif") -> tuple[Path, Path]:
        """Write the action log (JSON Lines) and a video of the neural screens; returns both paths."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        actions, frames = self.recording()
        log, video = directory / f"{stem}.jsonl", directory / f"{stem}{video_suffix}"
        write_action_log(log, actions)
        write_video(video, frames, self.palette, fps=self.software.clock_hz or VIDEO_FPS)
        return log, video

    def _advance(self, state: State, action: Action, screen: np.ndarray) -> Frame:
        self._state = state
        self._actions.append(action)
        self._video.append(screen)
        self.frame = Frame(self.frame.step + 1, screen, self._real_screen() if self.truth else None)
        return self.frame

    def _real_screen(self) -> np.ndarray:
        """The real software's screen after every action so far (it catches up on the ones it missed)."""
        assert self._real_steps is not None
        for action in self._actions[self._real_steps :]:
            self._real_now = self.software.step(action)
        self._real_steps = len(self._actions)
        return self._real_now


def step_sessions(sessions: Sequence[Session], actions: Sequence[Action]) -> list[Frame]:
    """Step sessions of one model in one forward pass, `actions[i]` to `sessions[i]`; returns their frames."""
    model = sessions[0].model
    if any(s.model is not model for s in sessions):
        raise ValueError("step_sessions batches sessions of one model only")
    device = sessions[0]._device
    with torch.inference_mode():  # all of the step's inputs inference tensors: a compiled step guards on that
        if len(sessions) == 1:
            state = sessions[0]._state
        else:
            state = {name: torch.cat([s._state[name] for s in sessions]) for name in sessions[0]._state}
        actions_BA = torch.from_numpy(encode_actions(list(actions)).astype(np.int64)).to(device)
        state, screens_BHW = model.step(state, actions_BA)
    screens = screens_BHW.cpu().numpy()
    return [
        s._advance({name: value[i : i + 1] for name, value in state.items()}, action, screens[i])
        for i, (s, action) in enumerate(zip(sessions, actions))
    ]
