"""Each measure, and its pooling over episodes, on hand-made screens whose answer is known."""

import math

import numpy as np
import pytest

from neuralcomputer.evaluation.ground_truth import GroundTruth, StepTotals
from neuralcomputer.evaluation.metrics import (
    PSNR_CAP_DB,
    SSIM_C1,
    exact_pixel_rate,
    pointer_error,
    pointer_position,
    psnr,
    squared_error,
    ssim,
    text_counts,
)
from neuralcomputer.recordings import RecordingInfo
from neuralcomputer.software.desktop.font import draw_text, read_text

PALETTE = np.array([[0, 0, 0], [255, 255, 255], [100, 100, 100], [255, 0, 0]], np.uint8)
POINTER = 3


def screens(batch: int = 2, height: int = 20, width: int = 30, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 3, (batch, height, width)).astype(np.uint8)


def test_identical_screens_are_perfect():
    real = screens()
    real[:, 5:8, 10:12] = POINTER
    assert psnr(squared_error(real, real.copy(), PALETTE).mean()) == PSNR_CAP_DB
    np.testing.assert_allclose(ssim(real, real.copy(), PALETTE), 1.0)
    np.testing.assert_array_equal(exact_pixel_rate(real, real.copy()), 1.0)
    np.testing.assert_array_equal(pointer_error(real, real.copy(), POINTER), 0.0)


def test_one_wrong_pixel_in_a_hundred_is_20_db():
    real = np.zeros((1, 10, 10), np.uint8)
    pred = real.copy()
    pred[0, 3, 4] = 1  # black -> white: 255^2 on each of 3 channels
    total = squared_error(pred, real, PALETTE)
    assert total[0] == 3 * 255**2
    assert psnr(total[0] / (100 * 3)) == pytest.approx(20.0)  # 10 log10(255^2 / (255^2 / 100))
    assert exact_pixel_rate(pred, real)[0] == pytest.approx(0.99)


def test_ssim_of_two_flat_screens_is_the_luminance_term():
    dark, grey = np.zeros((1, 16, 16), np.uint8), np.full((1, 16, 16), 2, np.uint8)
    a, b = 0.0, 100.0  # luminance of black and of (100, 100, 100)
    expected = (2 * a * b + SSIM_C1) / (a**2 + b**2 + SSIM_C1)  # no variance: contrast-structure term is 1
    np.testing.assert_allclose(ssim(dark, grey, PALETTE), expected)
    noisy = screens(1, 16, 16, seed=1)
    assert 0 < ssim(noisy, screens(1, 16, 16, seed=2), PALETTE)[0] < 0.5
    assert ssim(np.zeros((1, 5, 7), np.uint8), np.zeros((1, 5, 7), np.uint8), PALETTE)[0] == pytest.approx(1.0)


def test_pointer_shift_gives_its_distance_and_a_missing_pointer_the_diagonal():
    real, pred = np.zeros((3, 40, 30), np.uint8), np.zeros((3, 40, 30), np.uint8)
    real[:, 20:23, 10:13] = POINTER  # centred on (11, 21)
    pred[0, 24:27, 13:16] = POINTER  # 3 right, 4 down: 5 px away
    # pred[1]: no pointer at all; real[2] and pred[2]: none either
    real[2] = 0
    np.testing.assert_allclose(pointer_position(real[:1], POINTER), [[11.0, 21.0]])
    assert np.isnan(pointer_position(pred[1:2], POINTER)).all()
    np.testing.assert_allclose(pointer_error(pred, real, POINTER), [5.0, math.hypot(40, 30), 0.0])


def test_text_accuracy_counts_each_wrong_character():
    real = np.zeros((20, 60), np.uint8)
    pred = real.copy()
    draw_text(real, 2, 3, "HELLO", 1)
    draw_text(pred, 2, 3, "HEXLO", 1)  # one character wrong
    draw_text(real, 2, 11, "o k", 1)  # a line missing from the prediction; its space is not counted
    regions = [{"x": 2, "y": 3, "text": "HELLO", "color": 1}, {"x": 2, "y": 11, "text": "o k", "color": 1}]
    assert text_counts(real, regions, read_text) == (7, 7)
    assert text_counts(pred, regions, read_text) == (4, 7)
    assert text_counts(pred, [], read_text) == (0, 0)


def test_psnr_is_pooled_over_episodes_and_missing_measures_are_none():
    info = RecordingInfo(software="plain", width=10, height=10, palette=((0, 0, 0), (255, 255, 255)), action_schema=1)
    totals = StepTotals(horizon=2, episodes=2, truth=GroundTruth(info, pointer_color=None, read_text=None))
    real = np.zeros((2, 10, 10), np.uint8)
    before = real.copy()
    before[:, 5, :4] = 1  # 4 pixels per screen changed at step 0, none at step 1
    pred = real.copy()
    pred[1, 0, 0] = 1  # one wrong pixel among the 200 of the step
    pred[1, 5, :2] = 1  # and 2 of the 8 that changed
    totals.add(0, pred, real, before, None)
    totals.add(1, real.copy(), real, real, None)
    curves = totals.curves()
    np.testing.assert_allclose(curves["psnr"], [10 * math.log10(200 / 3), PSNR_CAP_DB])  # not the mean of 99 and 17.7
    np.testing.assert_allclose(curves["exact_pixel_rate"], [0.985, 1.0])
    np.testing.assert_allclose(curves["changed_pixel_rate"], [6 / 8, np.nan])  # pooled; nothing changed at step 1
    assert curves["cursor_error_px"] is None and curves["text_accuracy"] is None
