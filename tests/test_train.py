"""Training: it learns, it resumes exactly after a kill -9, and two DDP processes agree."""

import json
import os
import socket
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
from safetensors.torch import load_file, save_file

from model.toy_world import POINTER_COLOR, TINY, record_toy
from neuralcomputer.errors import UserError
from neuralcomputer.model import load_model
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.training import TrainConfig, train
from neuralcomputer.training.trainer import build_model, run_closed_loop
from neuralcomputer.training.windows import LEAD, find_events, frequent_colors, window_batch

TINY_GRID = TINY["grid-gru"]
KILLED_RUN = """
import json, os, signal, sys
import torch
from neuralcomputer.recordings.dataset import WindowDataset
from neuralcomputer.training import TrainConfig, train
from neuralcomputer.training.windows import find_events, window_batch

cfg, kill_at = TrainConfig(**json.loads(sys.argv[1])), int(sys.argv[2])
step = torch.optim.AdamW.step
def step_then_die(self, *args, **kwargs):  # a kill -9 in the middle of a window
    out = step(self, *args, **kwargs)
    if self.state[self.param_groups[0]["params"][0]]["step"] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return out
torch.optim.AdamW.step = step_then_die
train(cfg)
"""


@pytest.fixture(scope="module")
def toy16(tmp_path_factory):
    return record_toy(tmp_path_factory.mktemp("toy16"), episodes=8, steps=32, size=16).root


def small_run(data: Path, out: Path, **overrides) -> TrainConfig:
    """A run of a few seconds: 16x16 screens, windows of 8 steps in chunks of 4."""
    fields = dict(
        data=str(data), out=str(out), arch="grid-gru", model=TINY_GRID, minutes=0, max_steps=24, batch=4,
        sequence=8, chunk=4, lr=1e-2, warmup=4, eval_steps=8, eval_windows=4, eval_every=12, ckpt_every=12,
        log_every=2, heldout_fraction=0.3, threads=1,
    )
    return TrainConfig(**{**fields, **overrides})


def metrics(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("teacher_forcing, repair", [(0.0, 0.0), (1.0, 0.0), (1.0, 0.5)])
def test_closed_loop_beats_copying_the_last_frame(tmp_path, teacher_forcing, repair):
    """On a clip of pointer moves and clicks, a few hundred steps suffice to beat repeating the last frame,
    trained closed loop, teacher forced, or teacher forced mending its own mistakes (and measured closed
    loop either way)."""
    data = record_toy(tmp_path / "toy", episodes=10, steps=64, size=32, key_rate=0.0).root
    out = tmp_path / "run"
    cfg = small_run(
        data, out, model={**TINY_GRID, "channels": 16, "screen_channels": 16, "decoder_channels": 32},
        max_steps=200, sequence=32, chunk=8, eval_steps=32, eval_windows=16, eval_every=1000, ckpt_every=1000, log_every=10,
        teacher_forcing=teacher_forcing, repair=repair,
    )
    train(cfg)
    lines = metrics(out)
    losses = [m["train/loss"] for m in lines if "train/loss" in m]
    assert sum(losses[-3:]) < 0.5 * sum(losses[:3])
    [baseline] = [m for m in lines if "copy_last_frame/psnr" in m]
    [final] = [m for m in lines if "eval/psnr" in m]
    assert final["eval/psnr"] > baseline["copy_last_frame/psnr"] + 5
    for run in ("latest", "best"):
        assert load_model(out / run).config.arch == "grid-gru"
        state_files = {p.name for p in (out / run / "training_state").iterdir()}
        assert state_files == {"optimizer_state.safetensors", "rng_state.safetensors", "training_state.json"}
    assert any((out / "tensorboard").iterdir())


def test_debris_teaches_clearing_what_the_screen_should_not_show(tmp_path):
    """Trained teacher forced with `debris`, a model clears most blocks of another screen pasted onto the one
    it goes on from (here: a lamp or a switch half in the other colour) in one step; trained the same without,
    it keeps them."""
    data = record_toy(tmp_path / "toy", episodes=12, steps=64, size=32, key_rate=0.1).root
    held_out = WindowDataset(data, 8, "heldout", heldout_fraction=0.3)
    episodes = [held_out.episode(index) for index in held_out.episodes]
    frames = torch.from_numpy(np.stack([episode.frames[:] for episode in episodes]))
    actions = torch.from_numpy(np.stack([episode.actions[:] for episode in episodes]).astype(np.int64))
    before, after, moves = frames[:, 8:40].flatten(0, 1), frames[:, 9:41].flatten(0, 1), actions[:, 8:40].flatten(0, 1)
    torch.manual_seed(1)
    blocks = (torch.rand(len(before), 4, 4) < 0.3).repeat_interleave(8, 1).repeat_interleave(8, 2)
    pasted = torch.where(blocks, before.roll(7, 0), before)
    # The debris to clear: where the step changes nothing, and not the pointer (erased from what a model keeps).
    foreign = (pasted != before) & (after == before) & (pasted != POINTER_COLOR) & (before != POINTER_COLOR)
    cleared = {}
    for debris in (0.0, 1.0):
        out = tmp_path / f"debris-{debris}"
        train(small_run(
            data, out, model={**TINY_GRID, "channels": 16, "screen_channels": 16, "decoder_channels": 32},
            max_steps=300, sequence=8, chunk=8, eval_every=1000, ckpt_every=1000, log_every=50,
            teacher_forcing=1.0, debris=debris,
        ))  # fmt: skip
        model = load_model(out / "latest").eval()
        state = model.boot(before)
        state["screen"] = pasted  # drawn over the true screen, as debris is in training
        with torch.no_grad():
            _, screens = model.step(state, moves)
        cleared[debris] = (screens == after)[foreign].float().mean().item()
    assert foreign.sum() > 300
    assert cleared[1.0] > 0.5 and cleared[0.0] < 0.2, cleared


def test_drift_scores_the_steps_after_a_closed_loop_lead_in(toy16, tmp_path):
    """With `drift`, a window of drift + sequence steps runs its first `drift` closed loop, unscored: the first
    loss is that of the last `sequence` steps from the state the model's own steps left, not from a true boot."""
    cfg = small_run(toy16, tmp_path / "run", max_steps=1, sequence=4, chunk=4, drift=4, teacher_forcing=1.0,
                    log_every=1)  # fmt: skip
    train(cfg)
    [logged] = [m["train/loss"] for m in metrics(tmp_path / "run") if "train/loss" in m]

    data = WindowDataset(toy16, window=8, split="train", heldout_fraction=0.3)
    torch.manual_seed(cfg.seed)  # the model the run started from
    model = build_model("grid-gru", {"colors": frequent_colors(data, cfg.max_colors), **TINY_GRID}, data.recording.info)
    boot, held, actions, frames = window_batch(data, cfg.batch, cfg.seed, 0, 0, 0, 1, torch.device("cpu"))
    with torch.no_grad():
        drifted = run_closed_loop(model, model.boot(boot, held), actions[:, :4])
        loss, _ = model(drifted, actions[:, 4:], frames[:, 4:], teacher_forced=True)
        true_loss, _ = model(model.boot(frames[:, 3]), actions[:, 4:], frames[:, 4:], teacher_forced=True)
    assert logged == pytest.approx(loss.item(), rel=1e-5)
    assert abs(logged - true_loss.item()) > 1e-3  # the lead-in is what it was scored from


def test_seed_gru_loss_falls(toy16, tmp_path):
    out = tmp_path / "run"
    train(small_run(toy16, out, arch="seed-gru", model=TINY["seed-gru"], max_steps=40, log_every=4))
    losses = [m["train/loss"] for m in metrics(out) if "train/loss" in m]
    assert losses[-1] < losses[0]


def test_resume_after_kill_is_exact(toy16, tmp_path):
    """N steps in one go == killed after N/2 + 3 (last checkpoint at N/2), resumed, run to N.

    Half the windows are teacher forced (with `repair`) and half of each batch are event windows, so those
    draws must resume exactly too; each window's model watches the 4 screens before it (history)."""
    mixed = {"teacher_forcing": 0.5, "repair": 0.5, "event_share": 0.5, "event_pixels": 0.15, "history": 4}
    reference = small_run(toy16, tmp_path / "reference", **mixed)
    train(reference)

    interrupted = small_run(toy16, tmp_path / "interrupted", **mixed)
    child = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, json.dumps(asdict(interrupted)), "15"], capture_output=True, text=True
    )
    assert child.returncode == -9, child.stderr
    saved = json.loads((tmp_path / "interrupted/latest/training_state/training_state.json").read_text())
    assert saved["progress"]["step"] == 12
    train(small_run(toy16, tmp_path / "interrupted", **mixed, resume=True))

    for name in ("model.safetensors", "training_state/optimizer_state.safetensors"):
        a = load_file(tmp_path / "reference/latest" / name)
        b = load_file(tmp_path / "interrupted/latest" / name)
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), name
    steps = [m["step"] for m in metrics(tmp_path / "interrupted") if "train/loss" in m]
    assert steps == sorted(set(steps)) and steps[-1] == 24  # lines past the checkpoint were dropped on resume


def big_change_steps(boot, frames):
    """The steps of a toy window (16x16) that change at least 15 % of the screen."""
    screens = torch.cat([boot[None], frames])
    return torch.nonzero((screens[1:] != screens[:-1]).flatten(1).sum(1) >= 0.15 * 256).flatten().tolist()


def test_event_windows_hold_a_big_change_near_their_start(toy16):
    """On the toy, a lamp or switch toggle repaints ~20% of the 16x16 screen; a pointer move ~3%."""
    data = WindowDataset(toy16, window=8, split="train", heldout_fraction=0.3)
    events = find_events(data, min_changed=0.15)
    assert 0 < len(events) < len(data) * 8 / 4  # toggles are a minority of the steps
    for episode, start, step in events:
        item = data.window_at(int(episode), int(start))
        steps = big_change_steps(item["boot"], item["frames"])
        latest = data.recording.info.episodes[int(episode)].steps - 8
        assert 2 in steps or (steps and start in (0, latest))  # two steps of lead, unless at an end
        assert step - start in steps
    boot, _, _, frames = window_batch(data, 4, 0, 0, 0, 0, 1, torch.device("cpu"), events=events, event_share=0.5)
    assert all(big_change_steps(boot[b], frames[b]) for b in (2, 3))  # the last half of the batch
    at_two = 0  # anywhere: each window still holds a big change, but most not two steps in
    for index in range(20):
        boot, _, _, frames = window_batch(data, 4, 0, 0, index, 0, 1, torch.device("cpu"), events, 1.0, anywhere=True)
        for b in range(4):
            steps = big_change_steps(boot[b], frames[b])
            assert steps
            at_two += 2 in steps
    assert at_two < 40  # of 80 (without anywhere: 71)
    # Near an episode's end a window already starts earlier than two steps before its event: anywhere
    # moves it earlier only while the event stays in it.
    ends = [row for row in events if row[1] == data.recording.info.episodes[int(row[0])].steps - 8 < row[2] - 2]
    assert ends
    for episode, start, step in ends:
        frames = torch.from_numpy(data.episode(int(episode)).frames[:])
        only = np.array([(episode, start, step)])
        for index in range(5):
            boot, _, _, windows = window_batch(data, 4, 0, 0, index, 0, 1, torch.device("cpu"), only, 1.0, True)
            for b in range(4):  # where each window starts in the episode, found by its frames
                seen = torch.cat([boot[b, None], windows[b]])
                assert any(s <= step < s + 8 for s in range(start + 1) if torch.equal(frames[s : s + 9], seen))


def test_after_a_drift_event_windows_meet_their_event_in_the_scored_steps(toy16):
    """With a lead-in of 4 steps (`drift`), an event window's event comes after it, at step 6 or later of
    8 (`anywhere` too), never in the unscored lead-in: events far enough from their episode's start."""
    data = WindowDataset(toy16, window=8, split="train", heldout_fraction=0.3)
    lead = LEAD + 4
    events = find_events(data, min_changed=0.15, lead=lead)
    events = events[events[:, 2] >= lead]  # earlier ones: the window starts at the episode's first step
    assert len(events)
    for anywhere in (False, True):
        for index in range(10):
            batch = window_batch(data, 4, 0, 0, index, 0, 1, torch.device("cpu"), events, 1.0, anywhere, lead)
            for b in range(4):
                assert max(big_change_steps(batch.boot[b], batch.frames[b]), default=-1) >= lead


def test_refuses_to_overwrite_or_to_resume_another_model(toy16, tmp_path):
    train(small_run(toy16, tmp_path / "run", max_steps=2, ckpt_every=1))
    with pytest.raises(UserError, match="already holds a run"):
        train(small_run(toy16, tmp_path / "run", max_steps=2))
    with pytest.raises(UserError, match="cannot resume.*channels: 8 there, 4 here"):
        train(small_run(toy16, tmp_path / "run", model={**TINY_GRID, "channels": 4}, resume=True))
    with pytest.raises(UserError, match="nothing to resume"):
        train(small_run(toy16, tmp_path / "fresh", resume=True))


def _ddp_worker(rank: int, port: int, cfg: TrainConfig, out: Path) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2")
    model = train(cfg)
    save_file(model.state_dict(), str(out / f"rank{rank}.safetensors"))


def test_two_ddp_processes_end_with_identical_weights(toy16, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = small_run(toy16, tmp_path / "run", max_steps=4)
    mp.spawn(_ddp_worker, args=(port, cfg, tmp_path), nprocs=2)
    rank0, rank1 = load_file(tmp_path / "rank0.safetensors"), load_file(tmp_path / "rank1.safetensors")
    written = load_file(tmp_path / "run/latest/model.safetensors")
    assert all(torch.equal(rank0[k], rank1[k]) and torch.equal(rank0[k], written[k]) for k in rank0)
    assert json.loads((tmp_path / "run/latest/training_state/training_state.json").read_text())["progress"]["step"] == 4


def test_a_software_name_records_its_own_data_first(tmp_path):
    cfg = small_run(
        "desktop", tmp_path / "run", max_steps=2, batch=2, record_episodes=6, record_steps=16, heldout_fraction=0.5,
        model={**TINY_GRID, "sprite_size": 16},
    )
    model = train(cfg)
    info = json.loads((tmp_path / "run/data/info.json").read_text())
    assert info["software"] == "desktop" and len(info["episodes"]) == 6
    assert model.config.software == "desktop" and model.config.pointer_color == info["pointer_color"]
    before = (tmp_path / "run/data/info.json").stat().st_mtime_ns
    train(small_run("desktop", tmp_path / "run", max_steps=4, batch=2, record_episodes=6, record_steps=16,
                    heldout_fraction=0.5, model={**TINY_GRID, "sprite_size": 16}, resume=True))
    assert (tmp_path / "run/data/info.json").stat().st_mtime_ns == before  # complete: not recorded again


def test_a_model_remembers_the_software_options_it_learnt(tmp_path):
    """A model of Pong is not a model of Breakout: the recording's options go into its config and survive saving."""
    from neuralcomputer.actions import SCHEMA_VERSION
    from neuralcomputer.recordings import RecordingInfo
    from neuralcomputer.training.trainer import build_model

    info = RecordingInfo(
        software="atari", width=32, height=32, palette=((0, 0, 0), (255, 255, 255)),
        action_schema=SCHEMA_VERSION, options=(("game", "pong"),),
    )  # fmt: skip
    model = build_model("grid-gru", TINY["grid-gru"], info)
    model.save_pretrained(tmp_path / "pong")
    assert load_model(tmp_path / "pong").config.software_options == {"game": "pong"}


@pytest.mark.parametrize(
    "fields, named",
    [
        ({"arch": "nope"}, "unknown architecture 'nope'"),
        ({"sequence": 12, "chunk": 8}, r"sequence \(12\) must be a positive multiple of chunk \(8\)"),
        ({"minutes": 0, "max_steps": 0}, "give a time budget"),
        ({"memory_gb": -1}, "memory_gb must be 0 or more"),
        ({"repair": 1.5, "teacher_forcing": 1}, "repair is a share"),
        ({"repair": 0.5}, "repair changes teacher forced windows only"),
        ({"debris": -0.1, "teacher_forcing": 1}, "debris is a share"),
        ({"debris": 0.5}, "debris changes teacher forced windows only"),
        ({"drift": -1}, "drift must be 0 or more steps"),
    ],
)
def test_a_bad_config_is_one_line_naming_the_field(fields, named):
    with pytest.raises(UserError, match=named):
        TrainConfig(**fields).validate()
