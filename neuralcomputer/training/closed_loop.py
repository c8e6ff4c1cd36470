"""A quick closed-loop score for training: boot on a real screen, run on actions alone, compare.

The full evaluation suite (pointer error, text accuracy, long horizons, reports) is
`neuralcomputer.evaluation`; training only needs PSNR and the exact-pixel rate at a few
horizons to pick its best checkpoint and to plot progress.
"""

from __future__ import annotations

import numpy as np
import torch

from neuralcomputer.evaluation.metrics import exact_pixel_rate, psnr, squared_error
from neuralcomputer.model import NeuralComputer
from neuralcomputer.training.windows import Windows

HORIZONS = (1, 10, 100)


@torch.inference_mode()
def closed_loop_scores(model: NeuralComputer, windows: Windows) -> dict[str, float]:
    """Mean PSNR and exact-pixel rate over all steps, and at steps 1/10/100.

    PSNR (dB, on RGB) is taken at each step from the MSE pooled over the windows, as
    `neuralcomputer.evaluation` does, so that a few exact screens (capped at 99 dB)
    do not swamp the mean.
    """
    boot, held, actions, frames = windows
    palette = np.asarray(model.config.palette, dtype=np.uint8)
    was_training = model.training
    model.eval()
    state = model.boot(boot, held)
    psnr_T, exact_T = [], []
    for t in range(actions.shape[1]):
        state, screens = model.step(state, actions[:, t])
        predicted, real = screens.cpu().numpy(), frames[:, t].cpu().numpy()
        psnr_T.append(psnr(squared_error(predicted, real, palette).sum() / (3 * real.size)))
        exact_T.append(exact_pixel_rate(predicted, real).mean())
    model.train(was_training)
    scores = {"psnr": float(np.mean(psnr_T)), "exact": float(np.mean(exact_T))}
    for h in HORIZONS:
        if h <= len(psnr_T):
            scores |= {f"psnr@{h}": float(psnr_T[h - 1]), f"exact@{h}": float(exact_T[h - 1])}
    return scores
