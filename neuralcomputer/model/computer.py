"""The `NeuralComputer` interface: boot from one screen, then run on actions alone.

After `boot` a model never sees a real frame again: its state dict is the RAM, the
network the CPU, the decoder the screen (the Neural Computer idea; NeuralOS and
GameNGen are its nearest peers). Every architecture in `ARCHS` implements `_boot` and
`transition`; this base class derives the rest from them (stepping, teacher forcing,
the training rollout, saving and loading), so the runtime, the trainer and the
evaluator code against one API.

A model draws with `colors`, a subset of its software's palette: a desktop uses all of
its 13 colours, but DOOM's screens use some 200 of 256 and a per-pixel classifier pays
for every class it has. Screens come in and go out as palette indices; inside, a
colour outside the subset reads as its nearest one in RGB (`to_colors`).

The state is a dict of named tensors, batched on dim 0, so that read-out heads can
read it and coprocessors can write into it without knowing an architecture.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from neuralcomputer.actions import SCHEMA_VERSION
from neuralcomputer.errors import UserError
from neuralcomputer.model.checkpoint import (
    CONFIG_FILE,
    WEIGHTS_FILE,
    atomic_directory,
    read_json,
    read_tensors,
    write_json,
    write_tensors,
)

State = dict[str, Tensor]
# Sides of the blocks `debris` pastes (one per step): closed-loop garbage comes at every scale, a stray
# patch or a window's worth, and a pixel in the middle of a large patch has only `under` to tell it is wrong.
DEBRIS_BLOCKS = (8, 16, 32)


@dataclass
class ModelConfig:
    """The machine a model emulates; each architecture's config adds its own fields."""

    arch: str = ""
    software: str = "desktop"
    software_options: dict = field(default_factory=dict)  # the recording's software options, e.g. {"game": "pong"}
    width: int = 128
    height: int = 128
    palette: list[list[int]] = field(default_factory=lambda: [[0, 0, 0], [255, 255, 255]])  # (K, 3) RGB
    action_schema: int = SCHEMA_VERSION
    pointer_color: int | None = None  # palette index the software reserves for its pointer, if any
    colors: list[int] | None = None  # the palette indices the model draws with; None: all of them

    @classmethod
    def from_dict(cls, raw: dict, where: str) -> "ModelConfig":
        """Build from a config.json object; unknown fields are refused, missing ones take defaults."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - names)
        if unknown:
            raise UserError(f"{where}: unknown config fields {', '.join(unknown)} for a {raw.get('arch')} model")
        return cls(**raw)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


class NeuralComputer(nn.Module):
    """A learned computer: `boot(screens)` once, then `step(state, actions)` forever."""

    config_class: type[ModelConfig] = ModelConfig

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        palette_P3 = torch.tensor(config.palette, dtype=torch.float32)
        colors_K = torch.arange(len(palette_P3)) if config.colors is None else torch.tensor(config.colors)
        if config.pointer_color is not None and config.pointer_color not in colors_K:
            raise ValueError(f"the pointer's colour {config.pointer_color} must be one of the model's colors")
        nearest_P = torch.cdist(palette_P3, palette_P3[colors_K]).argmin(1)  # exact for the model's own colours
        # Derived from the config, so not saved with the weights.
        self.register_buffer("to_colors", nearest_P.to(torch.uint8), persistent=False)
        self.register_buffer("to_palette", colors_K.to(torch.uint8), persistent=False)
        self.pointer_color = None if config.pointer_color is None else int(nearest_P[config.pointer_color])  # as a model colour

    def cells(self, unit: int) -> tuple[int, int]:
        """Rows and columns of `unit`-pixel cells that cover the screen; a partial last one is a whole cell
        (the architecture pads the screen to fit, and crops its output)."""
        return -(-self.config.height // unit), -(-self.config.width // unit)

    @property
    def num_colors(self) -> int:
        """How many colours the model draws with: the classes of its per-pixel outputs."""
        return len(self.to_palette)

    def boot(self, screens: Tensor, held: Tensor | None = None) -> State:
        """Screens uint8 (B, H, W) of palette indices -> the initial state.

        Or a history (B, T, H, W): boot from its first screen and watch the others, so
        that a model booted mid-episode in training starts with the registers that follow
        the screen's history (grid-gru's `under` layer) as running from the start would
        have left them; the state's screen is the last one.

        `held` (B,) bool: whether the mouse button is down at boot (a machine booted in the
        middle of a drag); up by default. No screen shows it; a model that keeps the button
        in a register starts it from here, and one that does not ignores it.
        """
        if screens.dim() == 3:
            state = self._boot(self.to_colors[screens.long()])
        else:
            state = self._watch_history(self._boot(self.to_colors[screens[:, 0].long()]), screens[:, 1:])
        return state if held is None else self._hold(state, held)

    def observe(self, state: State, screens: Tensor) -> State:
        """The state after seeing the real screens uint8 (B, H, W): teacher forcing.

        Only evaluation (one step ahead of the true past, as GameNGen reports) and
        teacher-forced training use it: a neural computer in use never sees a real frame
        after boot.
        """
        return self._observe(state, self.to_colors[screens.long()])

    def _boot(self, screens: Tensor) -> State:
        """Screens uint8 (B, H, W) as indices of the model's colours -> the initial state."""
        raise NotImplementedError

    def _observe(self, state: State, screens: Tensor) -> State:
        """By default a model sees a screen by booting from it; one that can keep its memory overrides this."""
        return self._boot(screens)

    def _hold(self, state: State, held: Tensor) -> State:
        """The state with the mouse button held as `held` says: by default unchanged (no button register)."""
        return state

    def _watch_history(self, state: State, screens_BTHW: Tensor) -> State:
        """The state after watching screens uint8 (B, T, H, W) of palette indices, one after another."""
        for t in range(screens_BTHW.shape[1]):  # one screen at a time: a whole history in int64 is large
            state = self._watch(state, self.to_colors[screens_BTHW[:, t].long()])
        return state

    def _watch(self, state: State, screens: Tensor) -> State:
        """The state after the screen changed to `screens` on its own, seen but not predicted (a boot history).

        By default the same as observing it; a model with registers that follow the
        screen's changes (the `under` layer) updates them here as a step would.
        """
        return self._observe(state, screens)

    def transition(self, state: State, actions: Tensor) -> tuple[State, Tensor]:
        """One clock cycle: actions int64 (B, A), as `neuralcomputer.actions` encodes them -> (new state,
        logits (B, K, H, W) of the next screen over the model's K colours)."""
        raise NotImplementedError

    def step(self, state: State, actions: Tensor) -> tuple[State, Tensor]:
        """One clock cycle: actions int64 (B, A), as `neuralcomputer.actions` encodes them -> (new state,
        next screens uint8 (B, H, W) of palette indices)."""
        state, logits_BKHW = self.transition(state, actions)
        return state, self.to_palette[logits_BKHW.max(1).indices]  # max() is ~4x faster than argmax() here

    def compile_step(self) -> "NeuralComputer":
        """Make `step` a TorchInductor-compiled one that draws the same screens; returns the model.

        At batch 1 on a CPU a step is hundreds of operator calls on a few thousand numbers
        each, so the calls, not the arithmetic, take most of its time: the compiler fuses
        the per-pixel ones into a few C++ loops, and its C++ wrapper (`cpp_wrapper`) calls
        the kernels without Python in between. The first step compiles, about a minute on
        2 cores (much less from the on-disk cache after), so it pays for long runs
        (evaluation, benchmarks, a long session), not for a quick look. Where the cells a
        step decodes depend on the screen (grid-gru), dynamo traces the data-dependent
        shapes as such rather than cutting the step into pieces
        (`capture_dynamic_output_shape_ops`).
        """
        compilers = (os.environ.get("CXX"), "g++", "c++", "clang++")
        if self.to_palette.device.type == "cpu" and not any(shutil.which(c) for c in compilers if c):
            raise UserError(
                "compile_step: TorchInductor builds CPU kernels with a C++ compiler and none is on PATH "
                "(g++, c++, clang++ or $CXX); install one, or use the eager step"
            )
        compiled = torch.compile(self.step, options={"cpp_wrapper": True})
        data_dependent = {"capture_scalar_outputs": True, "capture_dynamic_output_shape_ops": True}

        @functools.wraps(self.step)
        def step(state: State, actions: Tensor) -> tuple[State, Tensor]:
            with torch._dynamo.config.patch(data_dependent):
                return compiled(state, actions)

        self.step = step
        return self

    def forward(
        self,
        state: State,
        actions_BTA: Tensor,
        frames_BTHW: Tensor,
        teacher_forced: bool = False,
        repair: float = 0.0,
        debris: float = 0.0,
    ) -> tuple[Tensor, State]:
        """Training rollout over T steps: (mean per-pixel cross-entropy, final state).

        Closed loop (the default), the model is fed its own state only, never the true
        frames, so it learns to recover from its own drift; the caller detaches the state
        between chunks. `teacher_forced` shows it each true screen after it predicts it,
        so each step's loss is about that step's change alone: a window that opens is an
        event to learn once, where closed loop, after the first miss, keeps asking for a
        repair of everything missed since.

        `repair` (teacher forced only) keeps the model's own prediction, not the truth, in
        a random share of the screen's 8x8 blocks (up to `repair`, drawn per window and
        step), so the next step's loss asks it to mend its own mistakes: what closed loop
        teaches, in a dose, without losing the per-step lesson of teacher forcing (the
        corrupted context of GameNGen's noise augmentation, with the model's own errors
        as the noise).

        `debris` (teacher forced only) does the same with blocks of another window's true
        screen (the next in the batch), of a side drawn per step from `DEBRIS_BLOCKS`:
        fragments of windows, text and desktop where none are, from a few letters to a
        window's worth. Closed loop, a model's mistakes grow over hundreds of steps into
        ragged patches no real screen has, which the keep gate copies forever; one step's
        own mistakes, all `repair` shows, are too few and too small to teach clearing them.
        """
        targets_BTHW = self.to_colors[frames_BTHW.long()]
        losses = []
        for t in range(actions_BTA.shape[1]):
            state, logits_BKHW = self.transition(state, actions_BTA[:, t])
            losses.append(F.cross_entropy(logits_BKHW, targets_BTHW[:, t].long()))
            if teacher_forced:
                seen = self._observe(state, targets_BTHW[:, t])
                if repair or debris:
                    self._need_screen(state, "repair" if repair else "debris")
                if repair:
                    seen = self._patch(seen, state, repair)
                if debris:
                    block = DEBRIS_BLOCKS[int(torch.randint(len(DEBRIS_BLOCKS), ()))]
                    seen = self._patch(seen, {"screen": seen["screen"].roll(1, 0)}, debris, block)
                state = seen
        return torch.stack(losses).mean(), state

    def _need_screen(self, state: State, lesson: str) -> None:
        if "screen" not in state:
            raise UserError(f"{self.config.arch} keeps no screen in its state: {lesson} needs one to change")

    @staticmethod
    def _patch(seen: State, source: State, share: float, block: int = 8) -> State:
        """The state seen, a random share (uniform in [0, share) per screen) of its screen's blocks taken from
        `source`'s screen [and the model's doubt in them, where both keep one]."""
        true_BHW = seen["screen"]
        B, H, W = true_BHW.shape
        share_B11 = torch.rand(B, 1, 1, device=true_BHW.device) * share
        blocks_BHW = torch.rand(B, -(-H // block), -(-W // block), device=true_BHW.device) < share_B11
        patched_BHW = blocks_BHW.repeat_interleave(block, 1).repeat_interleave(block, 2)[:, :H, :W]
        maps = ("screen", "doubt") if "doubt" in seen and "doubt" in source else ("screen",)
        return {**seen, **{name: torch.where(patched_BHW, source[name], seen[name]) for name in maps}}

    def save_pretrained(self, directory: str | Path) -> None:
        """Write `model.safetensors` + `config.json` to `directory`, atomically."""
        with atomic_directory(directory) as scratch:
            self.write_files(scratch)

    def write_files(self, directory: Path) -> None:
        """Write the two checkpoint files into an existing directory (no atomicity of its own)."""
        write_tensors(directory / WEIGHTS_FILE, self.state_dict())
        write_json(directory / CONFIG_FILE, self.config.to_dict())

    @classmethod
    def from_pretrained(
        cls, name_or_dir: str | Path, *, width: int | None = None, height: int | None = None
    ) -> "NeuralComputer":
        """Load a shipped model by name or a checkpoint directory; refuse any that does not fit.

        Called on a subclass, only that architecture is accepted; `width`/`height`,
        when given, must match the checkpoint's screen size.
        """
        from neuralcomputer.model.registry import ARCHS, resolve_checkpoint

        directory = resolve_checkpoint(name_or_dir)
        raw = read_json(directory / CONFIG_FILE)
        arch = raw.get("arch")
        if arch not in ARCHS:
            raise UserError(f"{directory}: unknown architecture {arch!r} (known: {', '.join(ARCHS)})")
        model_class = ARCHS[arch]
        if cls is not NeuralComputer and model_class is not cls:
            raise UserError(f"{directory}: this is a {arch} checkpoint, expected {cls.config_class.arch}")
        if raw.get("action_schema") != SCHEMA_VERSION:
            raise UserError(
                f"{directory}: trained on action schema version {raw.get('action_schema')}, "
                f"this neuralcomputer speaks version {SCHEMA_VERSION}; retrain or use a matching release"
            )
        config = model_class.config_class.from_dict(raw, where=str(directory))
        if (width is not None and width != config.width) or (height is not None and height != config.height):
            raise UserError(
                f"{directory}: a {config.width}x{config.height} model cannot run a "
                f"{width or config.width}x{height or config.height} screen"
            )
        model = model_class(config)
        model.load_tensors(read_tensors(directory / WEIGHTS_FILE), where=str(directory))
        return model

    def load_tensors(self, tensors: dict[str, Tensor], where: str) -> None:
        """Load weights, refusing missing, extra or differently shaped tensors with one line."""
        expected = self.state_dict()
        missing = sorted(set(expected) - set(tensors))
        extra = sorted(set(tensors) - set(expected))
        if missing or extra:
            raise UserError(
                f"{where}: weights do not fit a {self.config.arch} model (missing {missing[:3]}, extra {extra[:3]})"
            )
        for name, tensor in tensors.items():
            if tensor.shape != expected[name].shape:
                raise UserError(
                    f"{where}: weight {name} has shape {tuple(tensor.shape)}, "
                    f"this {self.config.arch} config needs {tuple(expected[name].shape)}"
                )
        self.load_state_dict(tensors)
