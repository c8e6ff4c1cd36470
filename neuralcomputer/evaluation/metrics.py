"""Per-screen measures of how far a predicted screen is from the real one.

Screens are palette-index arrays (B, H, W) uint8, as software produces them. Pixel
measures (PSNR, SSIM) are taken on the RGB the palette maps them to, so that confusing
two similar colours costs less than confusing black with white; the structural measures
(exact pixels, pointer, text) are taken on the indices themselves, because that is what
the software means. Every function returns one value per screen so that the caller
chooses how to pool (see `neuralcomputer.evaluation.ground_truth.StepTotals`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

PSNR_CAP_DB = 99.0  # reported when the MSE is 0: an exact screen has infinite PSNR, and JSON has no inf
SSIM_WINDOW = 11  # Wang et al. (2004): 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03
SSIM_SIGMA = 1.5
SSIM_C1 = (0.01 * 255) ** 2
SSIM_C2 = (0.03 * 255) ** 2
LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 weights, the Y of classic SSIM on colour images

TextRegion = dict  # {"x": int, "y": int, "text": str, "color": int}, as `Desktop.text_regions()` gives
TextReader = Callable[[np.ndarray, int, int, int, int], str]  # read_text(screen, x, y, n, color)


def squared_error(pred: np.ndarray, real: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Sum over pixels and RGB channels of the squared error, per screen: (B,) float64.

    Looked up in a (K, K) table of squared palette distances instead of expanding both
    screens to RGB: same result, a fraction of the memory traffic.
    """
    rgb = palette.astype(np.float64)
    distance = ((rgb[:, None, :] - rgb[None, :, :]) ** 2).sum(-1)  # (K, K)
    return distance[pred, real].reshape(len(pred), -1).sum(1)


def psnr(mse: float) -> float:
    """Peak signal-to-noise ratio in dB for an MSE on 0..255 values, capped at `PSNR_CAP_DB`."""
    if mse <= 0:
        return PSNR_CAP_DB
    return min(PSNR_CAP_DB, 10 * math.log10(255.0**2 / mse))


def ssim(pred: np.ndarray, real: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Mean SSIM on luminance (BT.601 Y, 0..255) per screen: (B,) float64, 1.0 when identical.

    The standard Gaussian-window SSIM of Wang et al. (2004), computed over 'valid' windows
    only (no padding). On a screen smaller than 11 px the window shrinks to fit it.
    """
    luma = palette.astype(np.float64) @ LUMA  # (K,)
    x, y = luma[pred], luma[real]  # (B, H, W)
    size = min(SSIM_WINDOW, x.shape[1], x.shape[2])
    gauss = np.exp(-((np.arange(size) - (size - 1) / 2) ** 2) / (2 * SSIM_SIGMA**2))
    mu_x, mu_y, xx, yy, xy = _blur(np.stack([x, y, x * x, y * y, x * y]), gauss / gauss.sum())
    var_x, var_y, cov = xx - mu_x**2, yy - mu_y**2, xy - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + SSIM_C1) * (2 * cov + SSIM_C2)) / (
        (mu_x**2 + mu_y**2 + SSIM_C1) * (var_x + var_y + SSIM_C2)
    )
    return ssim_map.mean(axis=(1, 2))


def _blur(images: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Separable filter over the last two axes, 'valid' region only: (..., H, W) -> (..., H-n+1, W-n+1).

    A sum of shifted slices: for an 11-tap kernel this is faster than torch's conv2d on a
    busy CPU and needs no threads.
    """
    n, (height, width) = len(kernel), images.shape[-2:]
    rows = sum(k * images[..., i : i + height - n + 1, :] for i, k in enumerate(kernel))
    return sum(k * rows[..., i : i + width - n + 1] for i, k in enumerate(kernel))


def exact_pixel_rate(pred: np.ndarray, real: np.ndarray) -> np.ndarray:
    """Share of pixels whose palette index is exactly right, per screen: (B,)."""
    return (pred == real).reshape(len(pred), -1).mean(1)


def pointer_position(screens: np.ndarray, pointer_color: int) -> np.ndarray:
    """Centroid (x, y) of the `pointer_color` pixels per screen: (B, 2) float64, NaN where absent."""
    mask = screens == pointer_color  # (B, H, W)
    count = mask.sum(axis=(1, 2)).astype(np.float64)
    ys, xs = np.arange(screens.shape[1]), np.arange(screens.shape[2])
    with np.errstate(invalid="ignore", divide="ignore"):
        x = (mask.sum(1) * xs).sum(1) / count
        y = (mask.sum(2) * ys).sum(1) / count
    return np.stack([x, y], axis=1)


def pointer_error(pred: np.ndarray, real: np.ndarray, pointer_color: int) -> np.ndarray:
    """Distance in pixels between the predicted and the real pointer, per screen: (B,).

    A pointer missing from one screen but not the other costs the screen diagonal, the
    largest error a visible pointer could have; missing from both costs 0.
    """
    a, b = pointer_position(pred, pointer_color), pointer_position(real, pointer_color)
    distance = np.hypot(*(a - b).T)
    missing_a, missing_b = np.isnan(a[:, 0]), np.isnan(b[:, 0])
    diagonal = math.hypot(pred.shape[1], pred.shape[2])
    distance[missing_a != missing_b] = diagonal
    distance[missing_a & missing_b] = 0.0
    return distance


def text_counts(screen: np.ndarray, regions: list[TextRegion], read_text: TextReader) -> tuple[int, int]:
    """(characters read back right, characters shown) on one (H, W) screen.

    `regions` is the true text and where it is; each line is read back from `screen` at
    the same place and compared character by character (a wrong, missing or unreadable
    character counts as wrong). Spaces are not counted: a blank screen reads them right.
    """
    right = shown = 0
    for region in regions:
        text = region["text"]
        read = read_text(screen, region["x"], region["y"], len(text), region["color"])
        right += sum(a == b for a, b in zip(read, text) if b != " ")
        shown += len(text) - text.count(" ")
    return right, shown
