"""The evaluation report a person reads: a Markdown table, two plots and a side-by-side video.

Written into a directory that may hold other things (a checkpoint, earlier reports), so
each file is replaced atomically on its own (written beside itself, then renamed) rather
than the directory as a whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from neuralcomputer.recordings import difference, side_by_side, write_video

MARKDOWN, PSNR_PLOT, EXACT_PLOT, VIDEO = "report.md", "psnr.png", "exact_pixel_rate.png", "episode.mp4"
VIDEO_FPS = 15
COLUMNS = {  # JSON key -> (column title, format)
    "psnr": ("PSNR (dB)", "{:.2f}"),
    "ssim": ("SSIM", "{:.4f}"),
    "exact_pixel_rate": ("exact pixels", "{:.2%}"),
    "changed_pixel_rate": ("changed pixels right", "{:.2%}"),
    "cursor_error_px": ("pointer error (px)", "{:.1f}"),
    "text_accuracy": ("text accuracy", "{:.2%}"),
}

Curves = dict[str, np.ndarray | None]  # per-step values of each measure, (horizon,), as `StepTotals.curves` gives


def write_report(
    report_dir: str | Path,
    result: dict,
    curves: list[tuple[str, Curves]],
    real_THW: np.ndarray,
    predicted_THW: np.ndarray,
    palette: np.ndarray,
) -> None:
    """Write report.md, psnr.png, exact_pixel_rate.png and episode.mp4 into `report_dir`.

    `curves` pairs each system's label (the model first) with its per-step measures; `real_THW` and
    `predicted_THW` are the screens of the episode shown in the video.
    """
    out = Path(report_dir)
    out.mkdir(parents=True, exist_ok=True)
    _replace(out / MARKDOWN, lambda path: path.write_text(markdown(result), encoding="utf-8"))
    for name, key, title in ((PSNR_PLOT, "psnr", "PSNR (dB)"), (EXACT_PLOT, "exact_pixel_rate", "exact-pixel rate")):
        _replace(out / name, lambda path: plot(curves, key, title).savefig(path, format="png", dpi=120))
    panels = [real_THW, predicted_THW, difference(real_THW, predicted_THW, palette)]
    video = side_by_side(panels, palette, labels=["real", "neural", "difference"])
    write_video(out / VIDEO, video, fps=VIDEO_FPS)  # atomic by itself


def markdown(result: dict) -> str:
    """The report's text: what was measured, then every measure at each horizon, model first."""
    systems = [(f"**{result['model']}**", result), *result["baselines"].items()]  # the model's name may be a baseline's
    lines = [
        f"# Closed-loop evaluation of `{result['model']}`",
        "",
        f"Recording `{result['data']}`: {result['episodes']} episodes ({result['split']}), each booted from its "
        f"first screen and then run on its recorded actions alone for {result['horizon']} steps. "
        f"Each value is the mean over steps 1..h (teacher forced: over all {result['horizon']} steps, each "
        f"predicted from the true screen before it). Speed at batch 1, timed in turns: "
        + ", ".join(f"{name} {summary['steps_per_second']:.1f}" for name, summary in systems)
        + " steps/s.",
        "",
        "| steps 1..h | system | " + " | ".join(title for title, _ in COLUMNS.values()) + " |",
        "|---:|---|" + "---:|" * len(COLUMNS),
    ]
    rows = [(h, lambda summary, h=h: summary["at"][h]) for h in result["at"]]
    if "teacher_forced" in result:
        rows.append(("teacher forced", lambda summary: summary["teacher_forced"]))
    for label, measures in rows:
        for name, summary in systems:
            cells = [_cell(measures(summary)[key], fmt) for key, (_, fmt) in COLUMNS.items()]
            lines.append(f"| {label} | {name} | " + " | ".join(cells) + " |")
    lines += ["", f"![PSNR per step]({PSNR_PLOT})", "", f"![exact-pixel rate per step]({EXACT_PLOT})", ""]
    lines += [f"[First episode: real | neural | difference]({VIDEO}) (mismatched pixels in red)."]
    lines += [""] + [f"- {note}" for note in result["notes"]]
    return "\n".join(lines).rstrip() + "\n"


def plot(curves: list[tuple[str, Curves]], key: str, title: str) -> Figure:
    """One measure against step (log x axis), one line per system."""
    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.subplots()
    for name, measures in curves:
        values = measures[key]
        model = not axes.lines  # the first line
        label, width = (f"{name} (model)", 2.0) if model else (name, 1.2)
        axes.plot(np.arange(1, len(values) + 1), values, label=label, linewidth=width)
    axes.set_xscale("log")
    axes.set_xlabel("step after boot")
    axes.set_ylabel(title)
    axes.set_title(f"{title}, closed loop")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    return figure


def _cell(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else fmt.format(value)


def _replace(path: Path, write: Callable[[Path], object]) -> None:
    """Write `path` through a temporary file beside it, renamed into place only once complete."""
    temp = path.with_name(f".tmp-{path.name}")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
