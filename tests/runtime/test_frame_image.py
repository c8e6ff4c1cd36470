"""Frames as PNG and back: exact palette round trip, the truth layout, clear errors for bad screenshots."""

import io

import numpy as np
import pytest
from PIL import Image

from neuralcomputer.errors import UserError
from neuralcomputer.runtime import Frame
from neuralcomputer.runtime.frame_image import PANEL_GAP, frame_png, screen_from_png
from neuralcomputer.software.desktop import PALETTE, Desktop


def png_of(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def test_round_trip_is_exact():
    screen = Desktop().reset(0)
    data = frame_png(Frame(0, screen, None), PALETTE)
    np.testing.assert_array_equal(screen_from_png(data, PALETTE, 128, 128), screen)
    np.testing.assert_array_equal(screen_from_png(png_of(PALETTE[screen]), PALETTE, 128, 128), screen)


def test_truth_frame_has_three_panels():
    screen = Desktop().reset(0)
    wrong = screen.copy()
    wrong[5, 7] = (wrong[5, 7] + 1) % len(PALETTE)
    image = np.asarray(Image.open(io.BytesIO(frame_png(Frame(1, wrong, screen), PALETTE))).convert("RGB"))
    assert image.shape == (128, 3 * 128 + 2 * PANEL_GAP, 3)
    np.testing.assert_array_equal(image[:, :128], PALETTE[wrong])
    np.testing.assert_array_equal(image[:, 128 + PANEL_GAP : 256 + PANEL_GAP], PALETTE[screen])
    difference = image[:, 2 * (128 + PANEL_GAP) :]
    assert tuple(difference[5, 7]) == (255, 0, 0) and tuple(difference[6, 7]) != (255, 0, 0)


def test_bad_screenshots_are_refused_clearly():
    rgb = PALETTE[Desktop().reset(0)].copy()
    with pytest.raises(UserError, match="not a PNG"):
        screen_from_png(b"hello", PALETTE, 128, 128)
    with pytest.raises(UserError, match="64x128 pixels; this model's screen is 128x128"):
        screen_from_png(png_of(rgb[:, :64]), PALETTE, 128, 128)
    rgb[10, 20] = (1, 2, 3)
    with pytest.raises(UserError, match=r"1 pixels are not in the model's 13-colour palette, the first at \(20, 10\) is #010203"):
        screen_from_png(png_of(rgb), PALETTE, 128, 128)
    jpeg = io.BytesIO()
    Image.fromarray(rgb).save(jpeg, format="JPEG")
    with pytest.raises(UserError, match="send a PNG"):
        screen_from_png(jpeg.getvalue(), PALETTE, 128, 128)
