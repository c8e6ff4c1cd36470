"""What the real software knows about its screens, and the per-step pooling of every measure.

Pixels come from the recording, but two measures need more than pixels: where the pointer
is (the palette index the software reserves for it) and what text is on screen (the
software's own list of text lines, got by replaying it with the episode's seed and
actions, since recordings store screens only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError
from neuralcomputer.evaluation.metrics import (
    TextReader,
    TextRegion,
    exact_pixel_rate,
    pointer_error,
    psnr,
    squared_error,
    ssim,
    text_counts,
)
from neuralcomputer.recordings import RecordingInfo
from neuralcomputer.software import Software, make_software

METRICS = ("psnr", "ssim", "exact_pixel_rate", "changed_pixel_rate", "cursor_error_px", "text_accuracy")


@dataclass(frozen=True)
class GroundTruth:
    """The software a recording was made of, as far as measuring a model of it goes."""

    info: RecordingInfo
    pointer_color: int | None  # palette index used by nothing but the pointer; None: no pointer to find
    read_text: TextReader | None  # reads text back from a screen; None: the software lists no text (`text_regions()`)

    @classmethod
    def of(cls, info: RecordingInfo) -> GroundTruth:
        if info.software == "desktop":  # so far the only software that lists its text lines
            from neuralcomputer.software.desktop.font import read_text

            return cls(info, info.pointer_color, read_text)
        return cls(info, info.pointer_color, None)

    @property
    def has_text(self) -> bool:
        return self.read_text is not None

    def replay(self, seed: int, boot: np.ndarray, where: str) -> TextReplay:
        """A fresh copy of the software, booted as the episode was (checked against its `boot` screen)."""
        software = make_software(self.info.software, self.info.width, self.info.height, **dict(self.info.options))
        return TextReplay(software, seed, boot, where)


class TextReplay:
    """The real software run beside the model on the same actions, to say which text is true at each step.

    Every replayed screen is checked against the recorded one: if they differ the recording
    came from another version of the software, and its text would be measured against the
    wrong answer.
    """

    def __init__(self, software: Software, seed: int, boot: np.ndarray, where: str):
        self.software, self.where, self.t = software, where, 0
        self._check(software.reset(seed), boot)

    def step(self, action_row: np.ndarray, real: np.ndarray) -> list[TextRegion]:
        """Apply one encoded action (one row of `actions`) and return the text lines on the real screen after it."""
        self.t += 1
        self._check(self.software.step(Action.decode(action_row)), real)
        return self.software.text_regions()

    def _check(self, replayed: np.ndarray, real: np.ndarray) -> None:
        if not np.array_equal(replayed, real):
            raise UserError(
                f"{self.where}: replaying the software does not reproduce frame {self.t}; the recording was "
                "made by another version of it, so text cannot be checked: re-record it"
            )


class StepTotals:
    """Sums over episodes of each measure at each step, for one system; `curves()` gives per-step values.

    PSNR is pooled before the log (MSE over all episodes' pixels at a step), text accuracy
    over all characters shown at a step; the others are means over episodes.
    """

    def __init__(self, horizon: int, episodes: int, truth: GroundTruth):
        self.truth, self.episodes = truth, episodes
        names = ("squared_error", "ssim", "exact", "changed_right", "changed", "pointer", "text_right", "text_shown")
        self.sums = {name: np.zeros(horizon) for name in names}

    def add(
        self, t: int, pred: np.ndarray, real: np.ndarray, before: np.ndarray, regions: list[list[TextRegion]] | None
    ) -> None:
        """Count step t (0-based) of a batch: predicted and real screens (B, H, W), the real screens one
        step before, true text per screen."""
        s, palette = self.sums, self.truth.info.palette_rgb
        s["squared_error"][t] += squared_error(pred, real, palette).sum()
        s["ssim"][t] += ssim(pred, real, palette).sum()
        s["exact"][t] += exact_pixel_rate(pred, real).sum()
        changed = real != before
        s["changed_right"][t] += (pred == real)[changed].sum()
        s["changed"][t] += changed.sum()
        if self.truth.pointer_color is not None:
            s["pointer"][t] += pointer_error(pred, real, self.truth.pointer_color).sum()
        if regions is not None:
            for screen, lines in zip(pred, regions):
                right, shown = text_counts(screen, lines, self.truth.read_text)
                s["text_right"][t] += right
                s["text_shown"][t] += shown

    def curves(self) -> dict[str, np.ndarray | None]:
        """Each of `METRICS` per step, (horizon,); None for a measure the software does not support.

        Text accuracy is NaN at a step where no text was shown, the changed-pixel rate
        where no pixel changed.
        """
        s, n, info = self.sums, self.episodes, self.truth.info
        mse = s["squared_error"] / (n * info.width * info.height * 3)
        with np.errstate(invalid="ignore", divide="ignore"):
            text = s["text_right"] / s["text_shown"]
            changed = s["changed_right"] / s["changed"]
        return {
            "psnr": np.array([psnr(m) for m in mse]),
            "ssim": s["ssim"] / n,
            "exact_pixel_rate": s["exact"] / n,
            "changed_pixel_rate": changed,
            "cursor_error_px": s["pointer"] / n if self.truth.pointer_color is not None else None,
            "text_accuracy": text if self.truth.has_text else None,
        }
