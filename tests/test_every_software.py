"""Every software the project drives goes the whole way: recorded, trained a few steps, saved, evaluated.

The software-specific tests (tests/software) check each adapter's screens and input;
this checks that nothing downstream assumes the desktop: screen sizes that are not a
whole number of model cells (160x210, 160x120), palettes of 128 and 256 colours that a
model cuts to those its data shows, and software without a pointer.
"""

import shutil

import pytest

from model.toy_world import TINY
from neuralcomputer.evaluation import evaluate
from neuralcomputer.model import load_model
from neuralcomputer.recordings import Recording, record_episodes
from neuralcomputer.software import DEFAULT_SIZES
from neuralcomputer.training import TrainConfig, train

SOFTWARE = [
    ("doom", {}),
    ("atari", {"game": "breakout"}),
    ("x11", {"app": "xterm"}),
    ("x11", {"app": "xcalc"}),
]
MAX_COLORS = 16


@pytest.mark.parametrize("software, options", SOFTWARE, ids=[f"{s}-{o.get('app', o.get('game', ''))}" for s, o in SOFTWARE])
def test_record_train_save_and_evaluate(software, options, tmp_path):
    if software == "x11":
        pytest.importorskip("Xlib", reason="x11 needs python-xlib")
        for program in ("Xvfb", options["app"]):
            if shutil.which(program) is None:
                pytest.skip(f"{program} is not installed: run scripts/install-system-deps.sh")
    width, height = DEFAULT_SIZES[software]
    data = tmp_path / "data"
    # Seeds 1 and 2: one for training, one held out at fraction 0.5.
    record_episodes(
        data, software, episodes=2, steps=12, seed=1, width=width, height=height, options=options, progress=False
    )
    info = Recording(data).info

    cfg = TrainConfig(
        data=str(data), out=str(tmp_path / "run"), model=TINY["grid-gru"], minutes=0, max_steps=4, batch=1,
        sequence=4, chunk=2, eval_steps=8, eval_windows=1, heldout_fraction=0.5, threads=1, max_colors=MAX_COLORS,
    )  # fmt: skip
    train(cfg)
    model = load_model(tmp_path / "run/latest")
    assert (model.config.width, model.config.height) == (width, height)
    assert model.config.software_options == options and model.config.pointer_color == info.pointer_color
    if len(info.palette) > MAX_COLORS:  # DOOM's 256 and Atari's 128 are cut to those the frames use
        shown = Recording(data).episode(0).frames[:]
        assert model.num_colors <= MAX_COLORS and set(model.config.colors) <= set(shown.ravel().tolist())
    else:
        assert model.config.colors is None

    result = evaluate(model, data, 8, baselines={}, episodes="all", teacher_forced=True, progress=False)
    assert 0 < result["at"]["1"]["psnr"] <= 99 and 0 < result["teacher_forced"]["psnr"] <= 99
    assert (result["at"]["1"]["cursor_error_px"] is None) == (info.pointer_color is None)
