"""Recording speed: frames per second of `ncomp record desktop`, with 1 and 2 workers.

Measures the whole path (synthetic user + desktop + compression + atomic writes)
into a fresh temporary directory. Run: `python bench/record_speed.py`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from neuralcomputer.recordings.record import record_episodes


def measure(workers: int, episodes: int, steps: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        record_episodes(Path(tmp) / "rec", episodes=episodes, steps=steps, seed=0, workers=workers, progress=False)
        return episodes * steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=16)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    rows = [(workers, measure(workers, args.episodes, args.steps)) for workers in (1, 2)]
    print(f"recording {args.episodes} episodes x {args.steps} steps, desktop 128x128")
    print(f"{'workers':>8} | {'frames/s':>10} | {'vs 1 worker':>11}")
    print(f"{'-' * 8}-+-{'-' * 10}-+-{'-' * 11}")
    for workers, fps in rows:
        print(f"{workers:>8} | {fps:>10.0f} | {fps / rows[0][1]:>10.2f}x")


if __name__ == "__main__":
    main()
