"""A scripted Atari player that tracks the ball, imperfectly, so games last and differ.

It reads the ball and its paddle from the console's RAM (addresses from the
Atari annotated-RAM work, AtariARI; offsets to screen pixels measured here):
the model trained on the recordings sees only pixels. It predicts where the
ball will meet the paddle's line (straight flight, bouncing off the walls) and
goes there. A perfect player would play one endless rally; this one aims at a
spot of the paddle it re-picks each rally, lets small errors be, and now and
then looks away for a moment, so it misses balls, loses lives, and every game
goes differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.software.atari import FIRE_KEY, Atari


@dataclass(frozen=True)
class Tracking:
    """Where one game keeps its ball and paddle in RAM, and how to move the paddle.

    "Along" is the paddle's axis (x in Breakout, y in Pong), "across" the other one;
    all positions in screen pixels, a RAM value plus an offset.
    """

    ball_along: tuple[int, int]  # (RAM address, offset) of the ball's coordinate along the paddle's axis
    ball_across: tuple[int, int]
    present: int  # RAM address of a byte that is 0 while no ball is in play
    paddle: tuple[int, int]  # the paddle's centre, along
    paddle_line: int  # the paddle's coordinate across
    walls: tuple[int, int]  # lowest and highest coordinate along at which the ball bounces
    toward_low: str  # held key that moves the paddle to smaller coordinates
    toward_high: str
    half_paddle: int  # pixels from the paddle's centre to its end

    def read(self, ram: np.ndarray, where: tuple[int, int]) -> int:
        return int(ram[where[0]]) + where[1]


TRACKING = {
    "breakout": Tracking((99, -48), (101, 9), 101, (72, -39), 189, (8, 151), "Left", "Right", 8),
    "pong": Tracking((54, -13), (49, -49), 54, (51, -7), 140, (34, 193), "Up", "Down", 8),
}
DEAD_BAND = 6  # pixels of error the player lets be (a paddle moves 10-20 pixels a step)
COAST = 0.5  # share of its last step's movement a paddle is expected to coast on (it has momentum)
DISTRACTED = 0.01  # chance per step of looking away for a few steps


class AtariPlayer:
    """Yields one `Action` per step, forever, reading the live console between steps."""

    def __init__(self, atari: Atari, rng: np.random.Generator):
        self.atari = atari
        self.rng = rng
        self.tracking = TRACKING[atari.game]

    def __iter__(self) -> Iterator[Action]:
        t = self.tracking
        aim, last, paddle_before = 0, None, None
        while True:
            ram = self.atari.ram()
            if ram[t.present] == 0:  # no ball in play: serve it after a moment, re-pick the aim
                aim, last, paddle_before = int(self.rng.integers(-t.half_paddle + 2, t.half_paddle - 1)), None, None
                yield from self.idle(int(self.rng.integers(2, 12)))
                yield Action(hold=(FIRE_KEY,))
                continue
            if self.rng.random() < DISTRACTED:
                last = paddle_before = None
                yield from self.idle(int(self.rng.integers(3, 15)))
                continue
            ball = (t.read(ram, t.ball_along), t.read(ram, t.ball_across))
            target = self.landing(ball, last) if last is not None else ball[0]
            last = ball
            paddle = t.read(ram, t.paddle)
            coasting = (paddle - paddle_before) * COAST if paddle_before is not None else 0
            paddle_before = paddle
            error = target - (paddle + coasting + aim)
            if abs(error) <= DEAD_BAND:
                yield Action()
            else:
                yield Action(hold=(t.toward_high if error > 0 else t.toward_low,))

    def landing(self, ball: tuple[int, int], last: tuple[int, int]) -> float:
        """Where along the paddle's axis the ball, flying straight from `last` to `ball`, meets the paddle's line."""
        t = self.tracking
        (along, across), (along_before, across_before) = ball, last
        speed_across = across - across_before
        toward = (t.paddle_line - across) * speed_across > 0
        if not toward:
            return along  # moving away: wait under it
        travel = along + (along - along_before) * (t.paddle_line - across) / speed_across
        low, high = t.walls  # unfold the bounces: the path mirrored at each wall
        span = high - low
        folded = (travel - low) % (2 * span)
        return low + (folded if folded <= span else 2 * span - folded)

    def idle(self, steps: int) -> Iterator[Action]:
        """Steps with nothing held, or with a stray move, as a person waiting does."""
        t = self.tracking
        for _ in range(steps):
            roll = self.rng.random()
            yield Action() if roll < 0.7 else Action(hold=(t.toward_low if roll < 0.85 else t.toward_high,))
