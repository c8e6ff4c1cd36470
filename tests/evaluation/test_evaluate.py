"""`evaluate` end to end on a tiny desktop recording: the JSON, the report, and refused inputs."""

import imageio_ffmpeg
import numpy as np
import pytest
import torch
from PIL import Image

from neuralcomputer.errors import UserError
from neuralcomputer.evaluation import evaluate
from neuralcomputer.model import ModelConfig, NeuralComputer
from neuralcomputer.model.seed_gru import SeedGRU, SeedGRUConfig
from neuralcomputer.recordings import Recording, record_episodes

EPISODES, STEPS, HORIZON = 3, 100, 100  # the synthetic user opens its first app by step ~20


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    path = tmp_path_factory.mktemp("eval") / "rec"
    record_episodes(path, "desktop", episodes=EPISODES, steps=STEPS, seed=0, progress=False)
    return path


def machine(data) -> dict:
    info = Recording(data).info
    palette = [list(c) for c in info.palette]
    return {"software": info.software, "width": info.width, "height": info.height, "palette": palette}


class Oracle(NeuralComputer):
    """Predicts the recorded screens exactly (episodes in recording order, one batch): a perfect model.

    Past the end of the recording (the speed test runs longer) it starts over."""

    def __init__(self, config: ModelConfig, frames_BTHW: torch.Tensor):
        super().__init__(config)
        self.frames_BTHW = frames_BTHW

    def boot(self, screens):
        return {"t": torch.zeros((), dtype=torch.long)}

    def step(self, state, actions):
        t = state["t"] % (self.frames_BTHW.shape[1] - 1) + 1
        return {"t": t}, self.frames_BTHW[: len(actions), t]


def oracle(data) -> Oracle:
    recording = Recording(data)
    frames = np.stack([recording.episode(i).frames[:] for i in range(len(recording))])
    return Oracle(ModelConfig(arch="oracle", **machine(data)), torch.from_numpy(frames))


def test_json_shape_and_a_perfect_model(data):
    result = evaluate(oracle(data), data, HORIZON, episodes="all", progress=False)
    assert result["model"] == "oracle" and result["episodes"] == EPISODES and result["horizon"] == HORIZON
    assert list(result["at"]) == ["1", "10", "100"] and len(result["psnr_by_step"]) == HORIZON
    assert list(result["baselines"]) == ["copy-last-frame"]
    assert result["notes"] == ["baseline seed-gru skipped: no model given"]
    assert result["steps_per_second"] > 0 and result["baselines"]["copy-last-frame"]["steps_per_second"] > 0
    perfect = {
        "psnr": 99.0, "ssim": 1.0, "exact_pixel_rate": 1.0, "changed_pixel_rate": 1.0, "cursor_error_px": 0.0,
        "text_accuracy": 1.0,
    }  # fmt: skip
    assert result["at"]["100"] == perfect
    assert result["at"]["1"]["text_accuracy"] is None  # no app open yet: no text to read
    copy = result["baselines"]["copy-last-frame"]
    assert len(copy["psnr_by_step"]) == HORIZON and set(copy["at"]["100"]) == set(perfect)
    assert copy["at"]["100"]["text_accuracy"] == 0.0  # it shows the empty boot desktop: no app text
    assert copy["at"]["100"]["cursor_error_px"] > 1


def test_a_given_baseline_and_the_report(data, tmp_path):
    small_gru = SeedGRU(SeedGRUConfig(latent=16, channels=4, action_dim=8, **machine(data)))
    report = tmp_path / "report"
    baselines = {"seed-gru": small_gru}
    result = evaluate(
        "copy-last-frame", data, 20, baselines, episodes=[0, 2], report_dir=report, teacher_forced=True, progress=False
    )
    assert result["split"] == "chosen" and result["episodes"] == 2 and result["notes"] == []
    assert list(result["baselines"]) == ["copy-last-frame", "seed-gru"]
    assert result["at"] == result["baselines"]["copy-last-frame"]["at"]
    assert list(result["at"]) == ["1", "10"] and 0 < result["at"]["10"]["exact_pixel_rate"] < 1
    assert result["baselines"]["seed-gru"]["at"]["10"]["psnr"] < result["at"]["10"]["psnr"]  # untrained
    assert sorted(p.name for p in report.iterdir()) == ["episode.mp4", "exact_pixel_rate.png", "psnr.png", "report.md"]
    text = (report / "report.md").read_text()
    rows = ("| 10 | **copy-last-frame** |", "| 10 | copy-last-frame |", "| 10 | seed-gru |", "| teacher forced | seed-gru |")
    for row in rows:
        assert row in text
    for name in ("psnr.png", "exact_pixel_rate.png"):
        with Image.open(report / name) as image:
            assert image.format == "PNG" and image.width > 300
    frames = imageio_ffmpeg.read_frames(str(report / "episode.mp4"))
    next(frames)
    assert sum(1 for _ in frames) == 20


def test_teacher_forcing_shows_each_system_the_true_past(data):
    """Teacher forced, copy-last-frame predicts each real screen by the one before it; closed loop, by the boot screen."""
    horizon = 30
    result = evaluate("copy-last-frame", data, horizon, baselines={}, episodes="all", teacher_forced=True, progress=False)
    frames = np.stack([Recording(data).episode(i).frames[: horizon + 1] for i in range(EPISODES)])
    one_step_ahead = (frames[:, :-1] == frames[:, 1:]).mean(axis=(0, 2, 3))  # per step
    from_boot = (frames[:, :1] == frames[:, 1:]).mean(axis=(0, 2, 3))
    assert result["teacher_forced"]["exact_pixel_rate"] == pytest.approx(one_step_ahead.mean(), abs=1e-6)
    assert result["at"]["10"]["exact_pixel_rate"] == pytest.approx(from_boot[:10].mean(), abs=1e-6)
    assert result["teacher_forced"]["exact_pixel_rate"] > from_boot.mean()
    assert result["teacher_forced"]["changed_pixel_rate"] == 0.0  # a copy gets no change right, by definition
    assert set(result["teacher_forced"]) == set(result["at"]["10"])
    assert result["baselines"]["copy-last-frame"]["teacher_forced"] == result["teacher_forced"]


def test_heldout_episodes_are_chosen_by_seed(data):
    result = evaluate("copy-last-frame", data, 1, heldout_fraction=1.0, progress=False)
    assert result["split"] == "heldout" and result["episodes"] == EPISODES


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"horizon": 0, "episodes": "all"}, f"horizon must be between 1 and {STEPS}"),
        ({"horizon": STEPS + 1, "episodes": "all"}, f"horizon must be between 1 and {STEPS}"),
        ({"horizon": 5}, "the 'heldout' split is empty"),  # none of seeds 0..2 is held out at 0.1
        ({"horizon": 5, "episodes": [EPISODES]}, "choose episodes among 0..2"),
    ],
)
def test_bad_input_is_one_clear_line(data, kwargs, message):
    with pytest.raises(UserError, match=message) as error:
        evaluate("copy-last-frame", data, **kwargs, progress=False)
    assert "\n" not in str(error.value)


def test_a_model_of_another_screen_size_is_refused(data):
    other = oracle(data)
    other.config.width = 64
    with pytest.raises(UserError, match="at 64x128 .* cannot be measured on a recording of desktop at 128x128"):
        evaluate(other, data, 5, episodes="all", progress=False)
