"""Human-like pointer paths.

People move a mouse along a slightly curved path with a bell-shaped speed profile
(the minimum-jerk model of Flash & Hogan, 1985), take longer for longer moves
(Fitts' law), and sometimes overshoot a target and correct. Recordings made with
straight, constant-speed paths would teach a model motion no person produces.
"""

from __future__ import annotations

import math

import numpy as np


def minimum_jerk(tau: np.ndarray) -> np.ndarray:
    """Share of the distance covered at normalised time tau in [0, 1]."""
    return 10 * tau**3 - 15 * tau**4 + 6 * tau**5


def pointer_path(
    start: tuple[int, int],
    target: tuple[int, int],
    rng: np.random.Generator,
    width: int,
    height: int,
) -> list[tuple[int, int]]:
    """Pixel positions, one per step, from `start` (excluded) to exactly `target`."""
    (x0, y0), (x1, y1) = start, target
    distance = math.hypot(x1 - x0, y1 - y0)
    if distance < 1:
        return [(x1, y1)]
    points: list[tuple[float, float]] = []
    if distance > 20 and rng.random() < 0.2:  # overshoot past the target, then correct
        past = 1 + rng.uniform(0.05, 0.12)
        via = (x0 + (x1 - x0) * past, y0 + (y1 - y0) * past)
        points += _stroke((x0, y0), via, distance * past, rng)
        points += _stroke(via, (x1, y1), distance * (past - 1), rng)
    else:
        points += _stroke((x0, y0), (x1, y1), distance, rng)
    path = [(int(np.clip(round(x), 0, width - 1)), int(np.clip(round(y), 0, height - 1))) for x, y in points]
    path[-1] = (x1, y1)
    return path


def _stroke(a: tuple[float, float], b: tuple[float, float], distance: float, rng: np.random.Generator):
    """One curved, bell-speed stroke from a to b (a excluded, b included)."""
    speed = rng.uniform(5.0, 11.0)  # mean pixels per step at 128 px: a brisk but trackable hand
    steps = int(np.clip(round(distance / speed) + 2, 2, 40))
    tau = np.arange(1, steps + 1) / steps
    s = minimum_jerk(tau)
    bend = rng.normal(0.0, 0.08) * distance * np.sin(np.pi * tau)  # sideways arc, zero at both ends
    dx, dy = b[0] - a[0], b[1] - a[1]
    norm = math.hypot(dx, dy) or 1.0
    px, py = -dy / norm, dx / norm
    jitter = rng.normal(0.0, 0.4, size=(steps, 2)) * (tau < 1)[:, None]
    xs = a[0] + dx * s + px * bend + jitter[:, 0]
    ys = a[1] + dy * s + py * bend + jitter[:, 1]
    return list(zip(xs.tolist(), ys.tolist()))
