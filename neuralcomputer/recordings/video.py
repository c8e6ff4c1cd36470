"""Videos of screens, for people: GIF or MP4, scaled up crisply, side by side with labels.

Screens are tiny (128 px) and made of flat palette colours, so they are scaled up by an integer
factor with nearest neighbour (every pixel stays a sharp square), GIFs keep the exact palette and
MP4s are H.264 in yuv444p (no chroma subsampling to smear one-pixel text). A comparison such as
real | neural | difference is `side_by_side([...], palette, labels)` passed to `write_video`.
"""

from __future__ import annotations

import os
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from neuralcomputer.errors import UserError
from neuralcomputer.software.base import to_rgb

VIDEO_SUFFIXES = (".gif", ".mp4")
MIN_WIDTH = 512  # the default scale makes a video at least this wide
MP4_CRF = 12  # H.264 quality: near-lossless on flat colours, still ~10x smaller than lossless
SEPARATOR = (64, 64, 64)  # between panels of `side_by_side`
LABEL_TEXT, LABEL_BACKGROUND = (255, 255, 255), (0, 0, 0)
MISMATCH = (255, 0, 0)  # pixels that differ, in `difference`


def default_scale(width: int) -> int:
    """The smallest integer factor that makes `width` pixels at least MIN_WIDTH wide."""
    return max(1, -(-MIN_WIDTH // width))


def write_video(
    path: str | Path,
    frames: np.ndarray,
    palette: np.ndarray | None = None,
    fps: float = 10.0,
    scale: int | None = None,
) -> None:
    """Write frames to `path` (.gif or .mp4) atomically: (T, H, W) indices into `palette` (K, 3) or (T, H, W, 3) RGB."""
    path = Path(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise UserError(f"{path}: unknown video type {path.suffix!r} (supported: {', '.join(VIDEO_SUFFIXES)})")
    if not path.parent.is_dir():
        raise UserError(f"{path.parent}: no such directory")
    if frames.ndim == 3 and palette is None:
        raise ValueError("palette indices need a palette")
    scale = scale or default_scale(frames.shape[2])
    temp = path.with_name(f".tmp-{path.name}")  # same suffix, so ffmpeg picks the same container
    try:
        if path.suffix.lower() == ".gif":
            indices, colours = (frames, palette) if frames.ndim == 3 else _index_colours(frames, path)
            _write_gif(temp, indices, colours, fps, scale)
        else:
            _write_mp4(temp, frames, palette, fps, scale)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def side_by_side(
    stacks: list[np.ndarray], palette: np.ndarray | None = None, labels: list[str] | None = None, gap: int = 2
) -> np.ndarray:
    """Panels left to right, each (T, H, W) indices into `palette` or (T, H, W, 3) RGB -> (T, H', W', 3) RGB."""
    panels = [s if s.ndim == 4 else to_rgb(s, palette) for s in stacks]
    if any(p.shape[:2] != panels[0].shape[:2] for p in panels):
        raise ValueError(f"panels need the same frame count and height, got {[p.shape for p in panels]}")
    separator = np.broadcast_to(np.array(SEPARATOR, np.uint8), (*panels[0].shape[:2], gap, 3))
    parts = [part for p in panels for part in (separator, p)][1:]
    body = np.concatenate(parts, axis=2)
    if not labels:
        return body
    header = _label_strip(labels, [p.shape[2] for p in panels], gap)
    return np.concatenate([np.broadcast_to(header, (len(body), *header.shape)), body], axis=1)


def difference(real: np.ndarray, predicted: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Where two (T, H, W) index stacks differ: the real screen dimmed, mismatched pixels red -> (T, H, W, 3) RGB."""
    out = to_rgb(real, palette) // 3
    out[real != predicted] = MISMATCH
    return out


def _label_strip(labels: list[str], widths: list[int], gap: int) -> np.ndarray:
    """A (h, W', 3) strip with each label above its panel, in a bitmap font (no anti-aliasing)."""
    font = ImageFont.load_default_imagefont()
    height = font.getbbox("Ag")[3] + 4
    image = Image.new("RGB", (sum(widths) + gap * (len(widths) - 1), height), LABEL_BACKGROUND)
    draw = ImageDraw.Draw(image)
    x = 0
    for label, width in zip(labels, widths):
        draw.text((x + 2, 2), label, fill=LABEL_TEXT, font=font)
        x += width + gap
    return np.asarray(image)


def _index_colours(rgb: np.ndarray, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Exact palette form of (T, H, W, 3) RGB frames: indices (T, H, W) uint8 and colours (K, 3)."""
    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
    keys, indices = np.unique(packed, return_inverse=True)
    if len(keys) > 256:
        raise UserError(f"{path}: a GIF holds at most 256 colours and these frames have {len(keys)}; write .mp4")
    colours = np.stack([keys >> 16, (keys >> 8) & 255, keys & 255], axis=1).astype(np.uint8)
    return indices.reshape(packed.shape).astype(np.uint8), colours


def _upscale(image: np.ndarray, scale: int) -> np.ndarray:
    """Nearest neighbour: each pixel of (H, W, ...) becomes a scale x scale square."""
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)


def _write_gif(path: Path, indices: np.ndarray, palette: np.ndarray, fps: float, scale: int) -> None:
    flat_palette = np.asarray(palette, dtype=np.uint8).reshape(-1).tolist()
    images = []
    for frame in indices:
        big = np.ascontiguousarray(_upscale(frame, scale))
        image = Image.frombytes("P", (big.shape[1], big.shape[0]), big.tobytes())
        image.putpalette(flat_palette)
        images.append(image)
    duration_ms = round(1000 / fps)
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=duration_ms, loop=0)


def _write_mp4(path: Path, frames: np.ndarray, palette: np.ndarray | None, fps: float, scale: int) -> None:
    height, width = frames.shape[1] * scale, frames.shape[2] * scale
    pad = ((0, height % 2), (0, width % 2), (0, 0))  # H.264 players want even sizes
    writer = imageio_ffmpeg.write_frames(
        str(path),
        (width + width % 2, height + height % 2),
        fps=fps,
        codec="libx264",
        pix_fmt_in="rgb24",
        pix_fmt_out="yuv444p",
        quality=None,
        macro_block_size=1,
        output_params=["-crf", str(MP4_CRF)],
        ffmpeg_log_level="error",
    )
    writer.send(None)
    for frame in frames:
        rgb = _upscale(frame if frame.ndim == 3 else to_rgb(frame, palette), scale)
        writer.send(np.ascontiguousarray(np.pad(rgb, pad, mode="edge")))
    writer.close()
