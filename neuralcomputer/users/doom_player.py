"""A scripted DOOM player that explores and fights, so recordings cover the level.

GameNGen found that random play covers too little of a level for a world model
to learn it, and trained an agent instead. This player is scripted and cheaper:
it reads the game's own labels, depth buffer and variables (a player may look at
internal state; the model trained on the recordings never does). It turns
toward visible monsters and fires, strafing now and then; otherwise it walks on,
steers away from walls it is about to hit, opens doors, frees itself when stuck
and turns at random or changes weapon. Like a person it holds each choice for several steps.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.software.doom import Doom, Sighting

Plan = Iterator[Action]

NEAR = 6  # depth-buffer value below which a wall ahead is too close (0 = touching, ~50 = across a room)
AIM_SLACK = 3  # pixels off the screen's centre at which a target still counts as aimed at
GIVE_UP_STEPS = 40  # steps of fighting one monster before ignoring it (out of reach, or already dead)
STUCK_STEPS, STUCK_DISTANCE = 8, 16.0  # walking this many steps but moving less than this (map units) is stuck


class DoomPlayer:
    """Yields one `Action` per step, forever, looking at the live game between steps."""

    def __init__(self, doom: Doom, rng: np.random.Generator):
        self.doom = doom
        self.rng = rng
        self.ignored: set[int] = set()  # object ids of monsters killed or given up on
        self.episode = 0

    def __iter__(self) -> Iterator[Action]:
        while True:
            if self.doom.episodes != self.episode:  # a new episode: object ids start over
                self.episode, self.ignored = self.doom.episodes, set()
            target = self.target()
            yield from self.fight(target) if target is not None else self.explore()

    def target(self) -> Sighting | None:
        """The biggest (so nearest) monster on screen that is not dead or given up on."""
        monsters = [s for s in self.doom.sightings() if s.is_monster and s.id not in self.ignored]
        return max(monsters, key=lambda s: s.h, default=None)

    def fight(self, target: Sighting) -> Plan:
        """Turn toward `target` and fire until it dies, vanishes or takes too long."""
        kills = self.doom.state()["kills"]
        strafe: tuple[str, ...] = ()
        for step in range(GIVE_UP_STEPS):
            seen = next((s for s in self.doom.sightings() if s.id == target.id), None)
            if seen is None:
                return
            if self.doom.state()["kills"] > kills:  # killed (by us, most likely)
                self.ignored.add(target.id)
                return
            offset = seen.x + seen.w / 2 - self.doom.width / 2
            if step % 6 == 0:  # re-decide the dodge every few steps, as people do
                strafe = (str(self.rng.choice(["a", "d"])),) if self.rng.random() < 0.3 else ()
            if abs(offset) <= max(AIM_SLACK, seen.w / 3):
                yield Action(hold=("Ctrl", *strafe) if self.rng.random() < 0.9 else strafe)
            else:
                turn = "Right" if offset > 0 else "Left"
                yield Action(hold=(turn, "Ctrl") if abs(offset) < seen.w else (turn,))
        self.ignored.add(target.id)

    def explore(self) -> Plan:
        """One stretch of exploring: a walk, a turn, a strafe, a change of weapon or a pause."""
        roll = self.rng.random()
        if roll < 0.02:
            yield Action(key=str(self.rng.integers(1, 4)))  # fist/chainsaw, pistol, shotgun (if owned)
        elif roll < 0.6:
            yield from self.walk(int(self.rng.integers(5, 25)))
        elif roll < 0.8:
            yield from self.turn(str(self.rng.choice(["Left", "Right"])), int(self.rng.integers(2, 10)))
        elif roll < 0.93:
            side = str(self.rng.choice(["a", "d"]))
            for _ in range(self.rng.integers(2, 7)):
                yield Action(hold=("Up", side))
        else:
            for _ in range(self.rng.integers(1, 5)):
                yield Action()

    def walk(self, steps: int) -> Plan:
        """Walk ahead (sometimes running), steering off walls and out of dead ends; stop for any monster."""
        hold = ("Up", "Shift") if self.rng.random() < 0.4 else ("Up",)
        trail = [self.position()]
        for _ in range(steps):
            if self.target() is not None:
                return
            ahead, left, right = self.clearance()
            if ahead < NEAR:
                if self.rng.random() < 0.3:  # perhaps a door
                    yield Action(hold=(" ",))
                yield from self.turn("Left" if left > right else "Right", int(self.rng.integers(3, 9)))
                return
            yield Action(hold=hold)
            trail.append(self.position())
            if len(trail) > STUCK_STEPS and np.linalg.norm(trail[-1] - trail[-1 - STUCK_STEPS]) < STUCK_DISTANCE:
                yield Action(hold=(" ",))
                yield from self.turn(str(self.rng.choice(["Left", "Right"])), int(self.rng.integers(4, 12)))
                return

    def turn(self, direction: str, steps: int) -> Plan:
        walking = self.rng.random() < 0.3
        for _ in range(steps):
            yield Action(hold=(direction, "Up") if walking else (direction,))

    def clearance(self) -> tuple[float, float, float]:
        """Median depth of the middle band of the view, ahead and to each side (above the status bar)."""
        depth = self.doom.depth()
        h, w = depth.shape
        band = depth[int(h * 0.3) : int(h * 0.6)]
        thirds = [band[:, : w // 3], band[:, w * 2 // 5 : w * 3 // 5], band[:, w * 2 // 3 :]]
        left, ahead, right = (float(np.median(part)) for part in thirds)
        return ahead, left, right

    def position(self) -> np.ndarray:
        return np.array(self.doom.state()["position"][:2])
