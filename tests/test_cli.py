"""`ncomp` end to end: record, inspect, export, replay, and one-line errors for bad input."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from neuralcomputer.cli import main
from neuralcomputer.recordings import Recording


def ncomp(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    out = tmp_path_factory.mktemp("rec") / "desktop"
    assert main(["record", "desktop", "--episodes", "2", "--steps", "60", "--seed", "5", "--out", str(out)]) == 0
    return out


def test_record_and_info(recording, capsys):
    code, out, _ = ncomp(capsys, "data", "info", str(recording), "--json")
    info = json.loads(out)
    assert code == 0
    assert info["episodes"] == 2 and info["frames"] == 2 * 61 and info["software"] == "desktop"
    assert info["resolution"] == [128, 128] and info["size_bytes"] > 0


def test_show_writes_a_crisp_gif(recording, tmp_path, capsys):
    gif = tmp_path / "e.gif"
    assert ncomp(capsys, "data", "show", str(recording), "--episode", "1", "--out", str(gif))[0] == 0
    with Image.open(gif) as image:
        assert image.size[0] >= 512 and image.size[0] % 128 == 0
        total_ms = 0
        for i in range(image.n_frames):  # Pillow merges repeated frames into longer ones
            image.seek(i)
            total_ms += image.info["duration"]
    assert abs(total_ms - 61 * 1000 / 15) < 61 * 10  # 61 frames at the default 15 fps


def test_replaying_a_recorded_log_reproduces_its_frames(recording, tmp_path, capsys):
    log = tmp_path / "episode1.jsonl"
    assert ncomp(capsys, "data", "show", str(recording), "--episode", "1", "--out", str(log))[0] == 0
    replay = tmp_path / "replay"
    seed = Recording(recording).episode(1).seed
    code, out, _ = ncomp(capsys, "record", "desktop", "--actions", str(log), "--seed", str(seed), "--out", str(replay))
    assert code == 0 and "replayed 60 actions" in out
    original, replayed = Recording(recording).episode(1), Recording(replay).episode(0)
    assert np.array_equal(np.asarray(original.frames[:]), np.asarray(replayed.frames[:]))
    assert np.array_equal(original.actions, replayed.actions)


@pytest.mark.parametrize(
    "lines, words",
    [
        (['{"mouse": [3, 4]}', '{"mouse": [3, 400]}'], "bad.jsonl:2: field 'mouse' [3, 400] is off screen"),
        (['{"key": "Enter"}', '{"key": "PageUp"}'], "bad.jsonl:2: field 'key' 'PageUp'"),
        (['{"jump": true}'], "bad.jsonl:1: unknown field 'jump'"),
        (['{"mouse": [1, 2]', "{}"], "bad.jsonl:1: malformed JSON"),
    ],
)
def test_bad_action_logs_are_refused_and_nothing_is_recorded(tmp_path, capsys, lines, words):
    log = tmp_path / "bad.jsonl"
    log.write_text("\n".join(lines) + "\n")
    code, _, err = ncomp(capsys, "record", "desktop", "--actions", str(log), "--out", str(tmp_path / "out"))
    assert code == 2 and words in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_bad_directories_and_outputs_get_one_line(recording, tmp_path, capsys):
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("hi")
    cases = [
        ("data", "info", str(tmp_path / "missing")),
        ("data", "info", str(tmp_path / "foreign")),
        ("data", "show", str(recording), "--episode", "9", "--out", str(tmp_path / "x.gif")),
        ("data", "show", str(recording), "--out", str(tmp_path / "x.avi")),
        ("record", "desktop", "--steps", "5", "--episodes", "1", "--out", str(tmp_path / "foreign")),
        ("train", "--data", str(recording), "--out", str(tmp_path / "run"), "--teacher-forcing", "1", "--repair", "2"),
        ("train", "--data", str(recording), "--out", str(tmp_path / "run"), "--repair", "0.5"),
    ]
    for argv in cases:
        code, _, err = ncomp(capsys, *argv)
        assert code == 2 and err.startswith("ncomp: error: ") and err.count("\n") == 1, (argv, err)


def test_console_script_help_and_debug():
    run = [sys.executable, "-m", "neuralcomputer.cli"]
    for verb in ([], ["record"], ["data", "info"], ["data", "show"]):
        result = subprocess.run([*run, *verb, "--help"], capture_output=True, text=True)
        assert result.returncode == 0 and "usage: ncomp" in result.stdout
    result = subprocess.run([*run, "--debug", "data", "info", "/nonexistent/rec"], capture_output=True, text=True)
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_train_then_eval_from_the_command_line(tmp_path, capsys):
    """`ncomp train --software` records, trains and checkpoints; `ncomp eval` scores the checkpoint."""
    run = tmp_path / "run"
    code, out, err = ncomp(
        capsys, "train", "--software", "desktop", "--out", str(run), "--arch", "grid-gru", "--max-steps", "2",
        "--minutes", "0", "--batch", "2", "--sequence", "8", "--chunk", "4", "--threads", "1", "--eval-steps", "8",
        "--record-episodes", "24", "--record-steps", "24", "--model-config", '{"channels": 8, "decoder_channels": 8}',
    )  # fmt: skip
    assert code == 0, err
    assert (run / "best" / "model.safetensors").exists() and (run / "latest" / "config.json").exists()
    result = tmp_path / "eval.json"
    code, out, err = ncomp(
        capsys, "eval", "--model", str(run / "best"), "--data", str(run / "data"), "--horizon", "8", "--json", str(result)
    )
    assert code == 0, err
    scores = json.loads(result.read_text())
    assert scores["horizon"] == 8 and set(scores["at"]) == {"1"} and "copy-last-frame" in scores["baselines"]
    code, _, err = ncomp(capsys, "train", "--software", "desktop", "--out", str(run), "--model-config", "[1]")
    assert code == 2 and "--model-config must be a JSON object" in err
