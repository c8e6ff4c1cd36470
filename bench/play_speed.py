"""Play speed: frames/s per session and input-to-frame latency of `ncomp play`, with 1 and 8 sessions.

Starts the play server in its own process on a free loopback port, then runs N WebSocket
clients at once, each sending an action as soon as its last frame arrived, for a fixed
time. Latency is from sending an action to having its whole PNG. Targets: >= 30 frames/s
with 1 session, >= 15 each with 8, median latency < 50 ms. With `--compile` the server
compiles the model's step before it listens (`ncomp play --compile`); that time is not
measured. Run: `python bench/play_speed.py [--model NAME_OR_DIR] [--seconds 10] [--sessions 1 8]
[--compile]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from websockets.asyncio.client import connect

from neuralcomputer.model.grid_gru import GridGRU, GridGRUConfig
from neuralcomputer.model.registry import shipped_names
from neuralcomputer.software.desktop import PALETTE, POINTER_COLOR

SERVER = (  # the server's own process, so that the clients here do not share its interpreter lock
    "import sys; from neuralcomputer.runtime.server import serve; "
    "serve(sys.argv[1], port=0, max_sessions=64, device=sys.argv[2], choices=[], compile=sys.argv[3] == 'compiled')"
)


def default_model(scratch: Path) -> str:
    """The shipped desktop model if there is one, else a fresh (untrained) grid-gru of the same size."""
    if "desktop" in shipped_names():
        return "desktop"
    GridGRU(GridGRUConfig(palette=PALETTE.tolist(), pointer_color=POINTER_COLOR)).save_pretrained(scratch / "grid-gru")
    return str(scratch / "grid-gru")


def actions(width: int, height: int):
    """An endless stream of pointer sweeps with a key every tenth step."""
    t = 0
    while True:
        t += 1
        yield {"key": "abcdefghij"[t // 10 % 10]} if t % 10 == 0 else {"mouse": [t * 7 % width, t * 3 % height]}


async def client(url: str, seconds: float) -> tuple[int, list[float]]:
    """One session sending as fast as frames come back: (frames, latencies in ms)."""
    latencies = []
    async with connect(url, max_size=None) as ws:
        status = json.loads(await ws.recv())
        await ws.recv(), await ws.recv()  # the boot frame
        stream = actions(status["width"], status["height"])
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            await ws.send(json.dumps(next(stream)))
            info = json.loads(await ws.recv())
            assert info["type"] == "frame", info
            await ws.recv()
            latencies.append((time.perf_counter() - sent) * 1000)
    return len(latencies), latencies


async def measure(url: str, sessions: int, seconds: float) -> tuple[float, float, float]:
    """(frames/s per session, median latency ms, p90 latency ms) with `sessions` clients at once."""
    results = await asyncio.gather(*(client(url, seconds) for _ in range(sessions)))
    latencies = np.concatenate([r[1] for r in results])
    per_session = np.mean([r[0] for r in results]) / seconds
    return per_session, float(np.median(latencies)), float(np.percentile(latencies, 90))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="shipped name or checkpoint directory (default: desktop, else a fresh grid-gru)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per row")
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--compile", action="store_true", help="the server compiles the model's step first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        model = args.model or default_model(Path(scratch))
        step = "compiled" if args.compile else "eager"
        command = [sys.executable, "-c", SERVER, model, args.device, step]
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()  # "ncomp play: MODEL at URL (Ctrl+C to stop)"
            if " at http" not in line:
                raise SystemExit(f"the play server did not start: {line!r}")
            url = line.split(" at ")[1].split()[0].replace("http", "ws", 1) + "ws"
            rows = [(n, *asyncio.run(measure(url, n, args.seconds))) for n in args.sessions]
        finally:
            server.terminate()
            server.wait()
    print(f"play speed: {model} on {args.device}, {step} step, {args.seconds:g} s per row")
    print(f"{'sessions':>8} | {'frames/s each':>13} | {'frames/s all':>12} | {'median ms':>9} | {'p90 ms':>7}")
    print(f"{'-' * 8}-+-{'-' * 13}-+-{'-' * 12}-+-{'-' * 9}-+-{'-' * 7}")
    for n, fps, median, p90 in rows:
        print(f"{n:>8} | {fps:>13.1f} | {fps * n:>12.1f} | {median:>9.1f} | {p90:>7.1f}")
    print("targets: >= 30 frames/s with 1 session, >= 15 each with 8, median latency < 50 ms")


if __name__ == "__main__":
    main()
