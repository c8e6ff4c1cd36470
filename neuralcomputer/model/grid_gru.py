"""The main design: a grid of recurrent cells over the screen, an exact pointer, exact pixels.

What the seed-gru baseline gets wrong, and what replaces it here:
- One flat vector for the whole machine -> a grid of memory cells, one per
  `stride` x `stride` patch (32x32 cells at 128x128), updated by a convolutional GRU
  (ConvGRU, Shi et al. 2015, here without the reset gate): a window is stored where
  it is drawn, so what happens in one place does not overwrite memory of another.
- Redrawing every pixel every step -> the last screen stays in the state as palette
  indices, and each pixel is a gated mixture of "keep the old colour", "take the
  colour the pointer's move drags here" (a window dragged by its title bar moves
  exactly with the pointer) and "a new colour", with the gates starting on "keep";
  copying is the default and unchanged pixels stay exact, which also stops drift:
  the screen is re-quantised every step.
- Regressing colours -> classifying each pixel over the palette (cross-entropy),
  each cell decoding its own s x s pixels (sub-pixel decoding, Shi et al. 2016).
- Learning where the pointer is -> an integer register set by the mouse actions and
  a learned sprite drawn at it (see pointer.py); the screen in the state is the one
  under the pointer.
- Only local effects -> each cell also gets the action (button, key, move), the
  held button, its offset from the pointer, the mean of all cells and the memory
  under the pointer, so a click on the taskbar can restore a window anywhere in one
  step (a 3x3 convolution alone reaches one cell further per step).
- A convolution does not know where it is -> each cell has a learnt embedding of its
  place (`place`). Software draws things at fixed places (a window opens where its
  app always opens it, the icons and the taskbar never move), and a cell that knows
  its place can learn what belongs there.
- A window that closes or goes behind another must give back what it covered, which
  a memory of 32 numbers per cell cannot hold exactly -> an `under` layer: for each
  pixel, the colour it had before its last change, kept exactly as a palette index and
  offered to each pixel as one more colour to keep. Opening a window over the desktop
  leaves the desktop in `under`, closing it takes the desktop back; raising a window
  over another swaps the two where they overlap. The rule is fixed and exact, so only
  the choice of when to take from `under` is learnt (a compositor's back buffer, one
  layer deep). With `under_depth` D > 1 it is a stack, nearest first: a change pushes the
  colour it covered and, where its new colour was in the stack, takes that layer out (a window
  given back or raised swaps places with what covered it), so a window closed after another
  opened over it, or restored after others came and went, still finds its desktop (on the
  true screens, four layers offer 96-99 % of what closes, raises and restores change, one
  layer 47-74 %: `bench/colour_sources.py --depths`).
- A window dragged over a pixel changes its colour without changing what lies beneath the
  window there, yet the fold pushes each colour the window's contents leave onto `under`:
  closed loop, specks a model drew inside a window would be pushed there wherever it passes,
  and uncovered when it moves on -> with `drag_keeps_under`, a pixel whose old colour the
  pointer's move carried on and whose new colour it carried in keeps its `under`
  (`carried_by_drag`; a fixed rule, as the fold). Trained with it, `under` made 14 % fewer
  pixels wrong closed loop and the drag as many more (one run, docs/model.md).
- Context and place only add up -> a window opens at its app's own place, so what a cell
  draws when one opens is a product of *which* app opens (the context) and *where* the
  cell is (its place): with `place_context` the context is projected to `place_context`
  weights of as many learnt maps over the whole grid (2C gate inputs per cell each), so
  each component is a picture of what to draw where, and the context picks the mix (a
  low-rank bilinear map of context and place; a map factorised as one number per cell
  times a channel vector learnt more slowly, see docs/model.md).
- A window opens with its title, listing or buttons drawn to the pixel, the same each
  time it opens where its app opens it, but a cell's 32 numbers decoded by one layer
  shared by all cells learn such detail slowly (titles and listings came out as dots)
  -> with `canvas` each of those maps is also a picture: colour logits for every pixel
  of the screen, added to the pixel layer's, mixed by the same weights of the context;
  what is drawn at a fixed place is learnt in place, not through the memory (with
  `canvas_gate`, each cell's memory may also keep them out: a close is no opening).
- A press acts on a whole window (raise it, close it), but which cells belong to the
  pressed window is only known where they are -> with `pointer_match` each cell also
  gets, per head, the dot product of a query from its memory with a key from the
  memory under the pointer (attention logits, without the softmax): the cells of the
  window under the pointer can find each other in one step, however wide it is.
- A drag moves a window by any number of pixels, so whether a pixel takes the dragged
  colour depends on where the window's edge was, to the pixel, and cells 4 pixels wide
  would have to work that out anew after every move -> with `grip` each pixel also
  says whether it moves with the pointer (one more output per pixel, kept in the
  state), and the next step's gates see that grip moved exactly as the pointer moved,
  and where it was, with weights from the context (the button held, or not): the
  pixel-exact shape of a dragged window is carried, not redrawn. With `grip_latch` the
  grip itself follows the moved grip too, so what a press grips can be held over a
  whole drag rather than decoded again from the cells after every move.
- A press acts on what it lands on, to the pixel (a title bar's button is a few pixels
  wide), but the context sees the pointer only through the memory of the cell under it, a
  step late and cleared with the memory -> with `pointer_look` the context also gets the
  exact colours of a square of pixels around the pointer (a learnt row per pixel and colour).
- Training windows are a few steps long and start from an empty memory, so over hundreds
  of steps the memory wanders into states training never showed, and presses get drawn
  less -> with `memory_lifetime` the memory is cleared every N steps (a clock in the
  state counts them); the screen, `under`, the grip, the pointer and the button carry the
  machine across a clearing.
- A typed character appears at the caret, which is no fixed place, in a glyph that falls
  at any offset within the 4x4 cells -> with `glyphs` each pixel also gives an anchor
  logit (one distribution over the screen and "nowhere"), and each key a learnt window
  of colour logits and a gate around its anchor (see glyphs.py): where is learnt apart
  from what.
- A pixel drawn unsure closed loop (part of a window the model half expects) looks to the
  cells like any other, and the keep gate copies it for good -> with `doubt` each pixel
  that changed keeps its doubt in the colour drawn (one minus its probability; none where
  it kept its colour, nor on a screen seen) in the state, and the next step's gates see
  it, with weights from the context.
- Most pixels keep their colour, yet a decoder works out every pixel's colour logits
  -> in `step` (not in training, which needs them all for the loss) only the cells
  where no old colour is sure to win get colour logits: what a compositor redraws
  (damage rectangles), at the same screens.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from neuralcomputer.actions import NUM_KEY_CODES
from neuralcomputer.errors import UserError
from neuralcomputer.model.action_embedding import ActionEmbedding
from neuralcomputer.model.computer import ModelConfig, NeuralComputer, State
from neuralcomputer.model.glyphs import Glyphs
from neuralcomputer.model.mixture import SURE, doubt, kept_colour, mix_colours
from neuralcomputer.model.pointer import (
    POINTER_CHANNELS,
    PointerSprite,
    drag,
    locate_pointer,
    move_pointer,
    patch_around,
    pointer_cells,
)


MATCH_WIDTH = 8  # numbers per head of a query and a key of `pointer_match`


@dataclass
class GridGRUConfig(ModelConfig):
    arch: str = "grid-gru"
    stride: int = 4  # pixels per cell side: 128x128 -> 32x32 cells
    channels: int = 32  # memory per cell
    screen_channels: int = 32  # features of a cell's patch of the last screen
    decoder_channels: int = 48
    sprite_size: int = 16  # pointer sprite window, pixels
    keep_bias: float = 3.0  # pixel gates start at ~91% "keep": e^3 / (e^3 + 2)
    drag: bool = True  # offer each pixel the colour the pointer's move drags onto it
    place: bool = True  # a learnt embedding of each cell's place, added to its gates
    under: bool = True  # an exact layer of what each pixel showed before its last change, offered as a colour
    under_depth: int = 1  # layers of `under`: the colours before each pixel's last changes, nearest first
    drag_keeps_under: bool = False  # a pixel a drag carries a window's colours across keeps its `under` (needs under)
    place_context: int = 32  # maps over the grid that the context mixes (which app, where); 0 = none
    pointer_match: int = 4  # heads comparing each cell's memory with the memory under the pointer; 0 = none
    grip: bool = True  # each pixel says whether it moves with the pointer; the next step's gates see that, moved
    grip_latch: bool = False  # the grip follows itself, moved, so what a press grips can be held (needs grip)
    canvas: bool = True  # each place-context map is also a picture: colour logits per pixel (needs place_context)
    canvas_gate: bool = False  # each cell's memory lets the pictures in or keeps them out (needs canvas)
    memory_lifetime: int = 0  # steps after which the memory is cleared (the registers stay); 0 = never
    glyphs: bool = False  # a learnt glyph per key, drawn where each pixel's anchor logit says the caret is
    doubt: bool = False  # each pixel changed keeps its doubt in the colour drawn; the next step's gates see it
    pointer_look: int = 0  # side of the square of exact pixels around the pointer that the context sees; 0 = none


class GridGRU(NeuralComputer):
    """ConvGRU memory grid + exact pointer register + gated per-pixel palette classifier."""

    config_class = GridGRUConfig

    def __init__(self, config: GridGRUConfig):
        super().__init__(config)
        s, c, k = config.stride, config.channels, self.num_colors
        if config.under_depth < 1:
            raise UserError(f"under_depth is a number of layers, 1 or more; got {config.under_depth}")
        if config.pointer_look < 0:
            raise UserError(f"pointer_look is a side in pixels, 0 (none) or more; got {config.pointer_look}")
        if config.drag_keeps_under and not config.under:
            raise UserError("drag_keeps_under keeps `under` where a drag carries a window: it needs under")
        self.grid = self.cells(s)
        layers = config.under_depth if config.under else 0  # of `under`
        inputs = config.screen_channels + POINTER_CHANNELS + config.pointer_match  # screen, pointer maps, matches
        # A linear map of the one-hot colours of a cell's s*s pixels, as a sum of one row per (pixel, colour);
        # the same of each layer of `under`; `_read` looks them all up at once.
        self.read_screen = nn.EmbeddingBag(s * s * k, config.screen_channels, mode="sum")
        self.read_under = nn.EmbeddingBag(layers * s * s * k, config.screen_channels, mode="sum") if layers else None
        # Each patch's row of each pixel (of the screen, then of each layer of `under`), before adding its colour.
        self.register_buffer("pixel_rows", torch.arange((1 + layers) * s * s) * k, persistent=False)
        self.action = ActionEmbedding(2 * c, config.width, config.height)
        self.held = nn.Embedding(2, 2 * c)
        self.summary = nn.Linear(c, 2 * c)
        self.under_pointer = nn.Linear(c, 2 * c)
        self.look = None
        if config.pointer_look:  # a row per (pixel of the square, colour or off the screen); at first nothing
            side = config.pointer_look
            self.look = nn.Parameter(torch.zeros(side * side * (k + 1), 2 * c))
            self.register_buffer("look_rows", torch.arange(side * side) * (k + 1), persistent=False)
        # A GRU without a reset gate: one conv gives the update gate and the candidate (half the cost).
        self.cell = nn.Conv2d(inputs + c, 2 * c, 3, padding=1)
        self.place = nn.Parameter(torch.zeros(2 * c, *self.grid)) if config.place else None
        if config.pointer_match:  # the query is a 1x1 convolution's weights, applied the other way round (_match)
            self.match_query = nn.Conv2d(c, config.pointer_match * MATCH_WIDTH, 1)
            self.match_key = nn.Linear(c, config.pointer_match * MATCH_WIDTH)
        r = config.place_context
        self.canvas = None
        if r:
            self.context_rank = nn.Linear(2 * c, r)
            self.place_maps = nn.Parameter(torch.zeros(r, 2 * c, *self.grid))  # starts as the model without it
            if config.canvas:  # per cell, in the pixel layer's order (its s*s pixels, K colours each)
                self.canvas = nn.Parameter(torch.zeros(r, *self.grid, s * s * k))
        self.canvas_gate = None
        if self.canvas is not None and config.canvas_gate:  # starts open (95 %), as the model without it
            self.canvas_gate = nn.Linear(config.decoder_channels, 1)
            nn.init.zeros_(self.canvas_gate.weight)
            nn.init.constant_(self.canvas_gate.bias, 3.0)
        # Old colours a pixel may keep: its own, the one the pointer drags onto it, the ones under it.
        self.sources = 1 + config.drag + layers
        self.decoder = nn.Sequential(nn.Conv2d(c, config.decoder_channels, 3, padding=1), nn.GELU())
        # Per cell, for each of its s*s pixels: K colour logits, gates over (keep, [drag,] [under,] new), [grip],
        # [anchor]. (A linear layer on channels-last cells, then one permute: on CPU ~3x faster than a
        # 1x1 conv followed by pixel shuffle.)
        outputs = k + self.sources + 1 + config.grip + config.glyphs
        self.pixels = nn.Linear(config.decoder_channels, s * s * outputs)
        # Its rows by kind: the colour logits, and the rest (gates [, grip] [, anchor]), each decoded on its own
        # (`_decode`).
        rows_PO = torch.arange(s * s * outputs).view(s * s, outputs)
        self.register_buffer("colour_rows", rows_PO[:, :k].flatten(), persistent=False)
        self.register_buffer("rest_rows", rows_PO[:, k:].flatten(), persistent=False)
        self.latch = config.grip and config.grip_latch
        if config.grip:  # how much the gates [and the grip] follow the grip, moved and where it was; at first not
            self.grip_gates = nn.Linear(2 * c, 2 * (self.sources + 1 + self.latch))
            nn.init.zeros_(self.grip_gates.weight)
            nn.init.zeros_(self.grip_gates.bias)
        if config.doubt:  # how much each gate follows a pixel's doubt; at first not at all
            self.doubt_gates = nn.Linear(2 * c, self.sources + 1)
            nn.init.zeros_(self.doubt_gates.weight)
            nn.init.zeros_(self.doubt_gates.bias)
        self.glyphs = Glyphs(NUM_KEY_CODES, k) if config.glyphs else None
        self.sprite = PointerSprite(k, config.sprite_size)
        with torch.no_grad():
            self.pixels.bias.view(s * s, -1)[:, k + 1 : k + self.sources + 1].fill_(-config.keep_bias)
            if config.grip:  # and each pixel starts as not gripped (5 %)
                self.pixels.bias.view(s * s, -1)[:, k + self.sources + 1].fill_(-3.0)

    def _boot(self, screens: Tensor) -> State:
        B = screens.shape[0]
        memory_BCHW = torch.zeros(B, self.config.channels, *self.grid, device=screens.device)
        if not torch.is_grad_enabled():  # channels last, as a compiled step keeps it (another order compiles again)
            memory_BCHW = memory_BCHW.contiguous(memory_format=torch.channels_last)
        blank = {
            "memory": memory_BCHW,
            "held": torch.zeros(B, dtype=torch.long, device=screens.device),
        }
        if self.config.memory_lifetime:  # a clock: steps since boot
            blank["age"] = torch.zeros(B, dtype=torch.long, device=screens.device)
        state = self._observe(blank, screens)
        if self.config.grip:
            state["grip"] = torch.zeros(screens.shape, device=screens.device)
        if self.config.under:  # nothing is known to lie under the first screen but itself
            # (copies, not the screen itself: a compiled step compiles again for maps that are one tensor)
            state["under"] = state["screen"][:, None].repeat(1, self.config.under_depth, 1, 1)
            state["before"] = state["screen"].clone()
            if self.config.drag_keeps_under:  # where the pointer was on the screen before
                state["before_pointer"] = state["pointer"].clone()
        return state

    def _observe(self, state: State, screens: Tensor) -> State:
        """The memory stays; the screen is the one under the pointer: the real one with the pointer rubbed out,
        and where the pointer hides it, what the model believed was there (at boot: a guess)."""
        pointer_B2 = self._locate(screens)
        screen_BHW = self.sprite.erase(screens, pointer_B2, state.get("screen"))
        return {**state, **self._sure(screen_BHW), "screen": screen_BHW, "pointer": pointer_B2}

    def _sure(self, screen_BHW: Tensor) -> State:
        """With `doubt`, no doubt about any pixel of a screen seen (a real one)."""
        return {"doubt": torch.zeros(screen_BHW.shape, device=screen_BHW.device)} if self.config.doubt else {}

    def _locate(self, screens_BHW: Tensor) -> Tensor:
        """The pointer's hotspots (B, 2) on real screens (-1 where none shows)."""
        pointer_B2 = locate_pointer(screens_BHW, self.pointer_color)
        if self.pointer_color is not None:
            pointer_B2 = self.sprite.hotspot(pointer_B2, self.pointer_color)
        return pointer_B2

    def _hold(self, state: State, held: Tensor) -> State:
        return {**state, "held": held.to(state["held"])}

    def _watch(self, state: State, screens: Tensor) -> State:
        return self._observe(self._fold(state), screens)

    def _watch_history(self, state: State, screens_BTHW: Tensor) -> State:
        """As watching the screens one by one, but the pointer located on all of them at once, and `under`
        folded from the screens seen without a step's other work (training boots every window on 128).

        Watching leaves the memory, the button and the grip alone. Each screen seen is the
        real one with the pointer's footprint filled from the screen seen before it, so the
        footprint depends on the past only there; `under` is each pixel's colours before its
        last changes among the screens seen, all but the last (each watch folds the one before).
        """
        B, T, H, W = screens_BTHW.shape
        if T == 0:
            return state
        if torch.equal(self.to_colors, torch.arange(len(self.to_colors)).to(self.to_colors)):
            colors_BTHW = screens_BTHW  # the model draws with the whole palette: nothing to map
        else:  # one screen at a time: a whole history as int64 indices is large
            colors_BTHW = torch.stack([self.to_colors[screens_BTHW[:, t].long()] for t in range(T)], 1)
        seen_BTHW = torch.cat([state["screen"][:, None], colors_BTHW], 1)
        pointer_N2 = self._locate(seen_BTHW[:, 1:].flatten(0, 1))
        n_P, y_P, x_P = self.sprite.covered(pointer_N2, H, W)
        b_P, t_P = n_P // T, n_P % T + 1
        # In time order, so that a pixel covered on several screens running takes its colour from before them.
        order_P, per_time = torch.argsort(t_P, stable=True), torch.bincount(t_P, minlength=T + 1)[1:].tolist()
        for b, t, y, x in zip(*(v[order_P].split(per_time) for v in (b_P, t_P, y_P, x_P))):
            seen_BTHW[b, t, y, x] = seen_BTHW[b, t - 1, y, x]
        pointer_B2 = pointer_N2.view(B, T, 2)[:, -1]
        state = {**state, **self._sure(seen_BTHW[:, T]), "screen": seen_BTHW[:, T], "pointer": pointer_B2}
        if not self.config.under:
            return state
        under_BDHW = seen_BTHW[:, 0, None].repeat(1, self.config.under_depth, 1, 1)
        pointers_BT2 = torch.cat([state["pointer"][:, None], pointer_N2.view(B, T, 2)], 1)  # of each screen seen
        for k in range(1, T):  # one screen at a time: the whole history's changes at once is large
            pointers = pointers_BT2[:, k - 1 : k + 1].unbind(1)
            under_BDHW = self._folded(under_BDHW, seen_BTHW[:, k - 1], seen_BTHW[:, k], *pointers)
        state = {**state, "under": under_BDHW, "before": seen_BTHW[:, T - 1]}
        return {**state, "before_pointer": pointers_BT2[:, T - 1]} if self.config.drag_keeps_under else state

    def _fold(self, state: State) -> State:
        """`under` brought up to the state's screen (`fold_under`). Done when the next step starts, not when a
        screen is predicted, so that a screen replaced by the true one (teacher forcing) leaves no trace of
        the prediction in `under`."""
        if not self.config.under:
            return state
        pointers = (state["before_pointer"], state["pointer"]) if self.config.drag_keeps_under else (None, None)
        under_BDHW = self._folded(state["under"], state["before"], state["screen"], *pointers)
        state = {**state, "under": under_BDHW, "before": state["screen"]}
        return {**state, "before_pointer": state["pointer"]} if self.config.drag_keeps_under else state

    def _folded(
        self,
        under_BDHW: Tensor,
        before_BHW: Tensor,
        screen_BHW: Tensor,
        old_xy_B2: Tensor | None,
        new_xy_B2: Tensor | None,
    ) -> Tensor:
        """`fold_under`, and with `drag_keeps_under` the layers left as they were where a drag carried a window's
        colours across a pixel (`carried_by_drag`, the pointers on the two screens)."""
        if not self.config.drag_keeps_under:
            return fold_under(under_BDHW, before_BHW, screen_BHW)
        carried_BHW = carried_by_drag(before_BHW, screen_BHW, old_xy_B2, new_xy_B2)
        return fold_under(under_BDHW, before_BHW, screen_BHW, carried_BHW)

    def transition(self, state: State, actions: Tensor) -> tuple[State, Tensor]:
        state, new, hidden_BhwD, mix_BR, gates_BGHW, sources_BMHW, anchor_BHW = self._prepare(state, actions)
        pictures_BhwP = None
        if self.canvas is not None:  # the pictures, mixed as each screen's context says
            pictures_BhwP = (mix_BR @ self.canvas.flatten(1)).view(*hidden_BhwD.shape[:3], -1)
            pictures_BhwP = self._let_in(pictures_BhwP, hidden_BhwD)
        logits_BKHW = self._decode(hidden_BhwD, self.colour_rows, pictures_BhwP)
        keyed_N = actions[:, 3].nonzero()[:, 0] if anchor_BHW is not None else []
        if len(keyed_N):  # the glyphs' gate and colours, worked out only for the screens whose step pressed a key
            B, K, H, W = logits_BKHW.shape
            kernels_NXhw = self.glyphs.kernels(actions[keyed_N, 3])
            drawn_NXHW = self.glyphs.draw(self.glyphs.anchors(anchor_BHW[keyed_N]), kernels_NXhw)
            drawn_BXHW = logits_BKHW.new_zeros(B, 1 + K, H, W).index_add(0, keyed_N, drawn_NXHW)
            gates_BGHW = plus_new(gates_BGHW, drawn_BXHW[:, :1])
            logits_BKHW = logits_BKHW + drawn_BXHW[:, 1:]
        screen_logp_BKHW = mix_colours(sources_BMHW, gates_BGHW, logits_BKHW)
        new_state = {**state, **new, "screen": screen_logp_BKHW.max(1).indices.to(torch.uint8)}
        if self.config.doubt:  # as `step` works it out: where an old colour is sure, from its share alone
            best_BHW = kept_colour(sources_BMHW, gates_BGHW)[0].detach()
            new_state = self._drawn_doubt(state, new_state, doubt(best_BHW, screen_logp_BKHW.detach().max(1).values))
        return new_state, self.sprite(new["pointer"], screen_logp_BKHW)

    def step(self, state: State, actions: Tensor) -> tuple[State, Tensor]:
        """As `NeuralComputer.step` (the same screens as `transition`), decoding colours only where they count.

        Where one old colour holds more than half the gates' weight (one source, or
        sources of the same colour), it wins whatever the new-colour logits say (see
        `mix_colours`). On most steps that is nearly every pixel, so only the cells
        holding the other pixels and the pointer's footprint get their colour logits
        and the full mixture: a compositor's damage rectangles. Far less work per step
        than `transition`, which decodes every pixel for the loss.
        """
        s, k = self.config.stride, self.num_colors
        B, H, W = state["screen"].shape
        state, new, hidden_BhwD, mix_BR, gates_BGHW, sources_BMHW, anchor_BHW = self._prepare(state, actions)
        # Eager, a step without a key skips the glyphs (they add nothing); compiled, they are added, as zeros.
        typed = anchor_BHW is not None and (torch.compiler.is_compiling() or bool(actions[:, 3].any()))
        if typed:  # the glyphs' gate, on every pixel: it decides which pixels open
            anchors_BHW, kernels_BXhw = self.glyphs.anchors(anchor_BHW), self.glyphs.kernels(actions[:, 3])
            gates_BGHW = plus_new(gates_BGHW, self.glyphs.draw(anchors_BHW, kernels_BXhw[:, :1]))
        best_BHW, screen_BHW = kept_colour(sources_BMHW, gates_BGHW)
        doubt_BHW = 1 - best_BHW if self.config.doubt else None  # where an old colour is sure (the others: below)
        b_N, y_N, x_N, sy_N, sx_N = self.sprite.footprint(new["pointer"], H, W)
        open_BHW = best_BHW <= SURE
        open_BHW[b_N, y_N, x_N] = True
        # The open pixels' cells, decoded in full: (C, ...) per cell, on the screen padded to whole cells.
        gh, gw = self.grid
        pad = (0, gw * s - W, 0, gh * s - H)
        b_C, cy_C, cx_C = F.pad(open_BHW, pad).view(B, gh, s, gw, s).any(4).any(2).nonzero(as_tuple=True)
        colour, hidden_CD = self.colour_rows, hidden_BhwD[b_C, cy_C, cx_C]
        logits_CP = F.linear(hidden_CD, self.pixels.weight[colour], self.pixels.bias[colour])
        if self.canvas is not None:  # the open cells' patches of the pictures, mixed as each screen's context says
            pictures_RCP = self.canvas.flatten(1, 2).index_select(1, cy_C * gw + cx_C)
            logits_CP = logits_CP + self._let_in((mix_BR[b_C, None] @ pictures_RCP.transpose(0, 1))[:, 0], hidden_CD)
        logits_CKss = logits_CP.view(-1, s, s, k).permute(0, 3, 1, 2)
        if typed:  # and their colours, in the open cells
            logits_CKss = logits_CKss + self.glyphs.draw_cells(anchors_BHW, kernels_BXhw, b_C, cy_C, cx_C, s)

        def cells(pixels_BXHW: Tensor) -> Tensor:  # (B, X, H, W) -> the open cells' pixels, (C, X, s, s)
            return F.pad(pixels_BXHW, pad).view(B, -1, gh, s, gw, s)[b_C, :, cy_C, :, cx_C]

        logp_CKss = mix_colours(cells(sources_BMHW), cells(gates_BGHW), logits_CKss)
        screen_BHW = F.pad(screen_BHW, pad)
        screen_BHW.view(B, gh, s, gw, s)[b_C, cy_C, :, cx_C] = logp_CKss.max(1).indices.to(screen_BHW.dtype)
        screen_BHW = screen_BHW[:, :H, :W].contiguous()  # not a view of the padding: the state keeps boot's strides
        new_state = {**state, **new, "screen": screen_BHW}
        if doubt_BHW is not None:  # the open cells' pixels that no old colour is sure of: from their colours' odds
            doubt_BHW = F.pad(doubt_BHW, pad)
            top_Css = logp_CKss.max(1).values
            doubt_BHW.view(B, gh, s, gw, s)[b_C, cy_C, :, cx_C] = doubt(cells(best_BHW[:, None])[:, 0], top_Css)
            new_state = self._drawn_doubt(state, new_state, doubt_BHW[:, :H, :W])
        # The pointer, drawn over the log-probs of the pixels under it.
        cell_of_Bhw = torch.full((B, gh, gw), -1, dtype=torch.long, device=b_C.device)
        cell_of_Bhw[b_C, cy_C, cx_C] = torch.arange(len(b_C), device=b_C.device)
        under_NK = logp_CKss[cell_of_Bhw[b_N, y_N // s, x_N // s], :, y_N % s, x_N % s]
        display_BHW = screen_BHW.clone()
        display_BHW[b_N, y_N, x_N] = self.sprite.draw(under_NK, sy_N, sx_N).max(1).indices.to(display_BHW.dtype)
        return new_state, self.to_palette[display_BHW.long()]

    def _prepare(
        self, state: State, actions: Tensor
    ) -> tuple[State, State, Tensor, Tensor | None, Tensor, Tensor, Tensor | None]:
        """A clock cycle up to the colours: (the state with `under` folded, the new registers and memory
        [and grip], the decoder's features, the context's mix of the place maps (B, place_context) [or None],
        the gates (B, sources + 1, H, W) without the glyphs', the old colours (B, sources, H, W), and with
        `glyphs` the anchor logits (B, H, W) [or None])."""
        state = self._fold(state)
        new, context_B2C, mix_BR = self._think(state, actions)
        hidden_BhwD = self._hidden(new["memory"])
        rest_BOHW = self._decode(hidden_BhwD, self.rest_rows)
        followed = self.sources + 1 + self.latch  # the gates [and the grip]
        gates_BGHW = self._follow_grip(state, new["pointer"], context_B2C, rest_BOHW[:, :followed])
        if self.config.doubt:
            gates_BGHW = self._follow_doubt(state, context_B2C, gates_BGHW)
        if self.config.grip:  # a map of its own: a view keeps all the gates alive, and recompiles a compiled step
            grip_BHW = gates_BGHW[:, -1] if self.latch else rest_BOHW[:, self.sources + 1]
            new["grip"] = grip_BHW.clone(memory_format=torch.contiguous_format)
            gates_BGHW = gates_BGHW[:, : self.sources + 1]
        anchor_BHW = rest_BOHW[:, -1] if self.glyphs is not None else None
        return state, new, hidden_BhwD, mix_BR, gates_BGHW, self._sources(state, new["pointer"]), anchor_BHW

    def _think(self, state: State, actions: Tensor) -> tuple[State, Tensor, Tensor | None]:
        """The clock cycle up to the pixels: the new pointer, held button and memory [and age], the step's
        context (action, button, summary of the memory, memory under the pointer), (B, 2C), and
        with `place_context` its mix of the place maps, (B, place_context)."""
        c = self.config.channels
        pointer_B2 = move_pointer(state["pointer"], actions)
        held_B = torch.where(actions[:, 2] == 1, 1, torch.where(actions[:, 2] == 2, 0, state["held"]))
        memory_BCHW = self._remembered(state)

        screen_BSHW = self._read(state)
        under_pointer_BC = self._under(memory_BCHW, pointer_B2)
        cells = [screen_BSHW, pointer_cells(pointer_B2, *self.grid, self.config.stride)]
        if self.config.pointer_match:
            cells.append(self._match(memory_BCHW, under_pointer_BC))
        cells_BIHW = torch.cat(cells, 1)
        context_B2C = (
            self.action(actions)
            + self.held(held_B)
            + self.summary(memory_BCHW.mean((2, 3)))
            + self.under_pointer(under_pointer_BC)
        )
        if self.look is not None:
            context_B2C = context_B2C + self._look(state["screen"], pointer_B2)
        zc_B2CHW = convolve(self.cell, torch.cat([cells_BIHW, memory_BCHW], 1))
        if not torch.compiler.is_compiling():  # eager, all in the maps' order: mixed orders make each sum slower
            zc_B2CHW, memory_BCHW = zc_B2CHW.contiguous(), memory_BCHW.contiguous()
        zc_B2CHW = zc_B2CHW + context_B2C[:, :, None, None]
        if self.place is not None:
            zc_B2CHW = zc_B2CHW + self.place
        mix_BR = self.context_rank(context_B2C) if self.config.place_context else None
        if mix_BR is not None:
            zc_B2CHW = zc_B2CHW + (mix_BR @ self.place_maps.flatten(1)).view_as(zc_B2CHW)
        z_BCHW, candidate_BCHW = torch.sigmoid(zc_B2CHW[:, :c]), torch.tanh(zc_B2CHW[:, c:])
        memory_BCHW = torch.lerp(memory_BCHW, candidate_BCHW, z_BCHW)
        registers = {"memory": memory_BCHW, "pointer": pointer_B2, "held": held_B}
        if self.config.memory_lifetime:
            registers["age"] = state["age"] + 1
        return registers, context_B2C, mix_BR

    def _look(self, screen_BHW: Tensor, xy_B2: Tensor) -> Tensor:
        """What the pointer is on, to the pixel, as numbers of the context (B, 2C): a linear map of the one-hot
        colours of the `pointer_look` square around it (`patch_around`).

        Whether a press closes, minimises or raises a window, or misses, is decided by the
        pixels it lands on: a title bar's button is a few pixels wide. The memory under the
        pointer is one cell's 32 numbers, read from its 4x4 patch a step late and cleared
        with the memory (`memory_lifetime`); the screen itself is exact and always there.
        """
        patch_BP = patch_around(screen_BHW, xy_B2, self.config.pointer_look, outside=self.num_colors)
        return SumRows.apply(patch_BP + self.look_rows, self.look)

    def _remembered(self, state: State) -> Tensor:
        """The memory a step starts from: the state's, or zeros where it has lived `memory_lifetime` steps.

        Why, in the module's notes and docs/model.md ("A memory that lives 32 steps"); a model
        trained on windows as long as its memory lives needs no lifetime ("Windows as long as
        the memory lives").
        """
        memory_BCHW, lifetime = state["memory"], self.config.memory_lifetime
        if not lifetime:
            return memory_BCHW
        expired_B = (state["age"] > 0) & (state["age"] % lifetime == 0)
        return memory_BCHW * ~expired_B[:, None, None, None]

    def _follow_grip(self, state: State, pointer_B2: Tensor, context_B2C: Tensor, gates_BGHW: Tensor) -> Tensor:
        """The gates [and the grip's logit] plus the last step's grip, moved as the pointer moved and where it
        was (weights from the context); unchanged without `grip`."""
        if not self.config.grip:
            return gates_BGHW
        gripped_BHW = torch.sigmoid(state["grip"])
        moved_BHW = drag(gripped_BHW, state["pointer"], pointer_B2)
        follow_B2G11 = self.grip_gates(context_B2C).view(len(context_B2C), 2, -1, 1, 1)
        if not torch.compiler.is_compiling():
            moved_gates_BGHW = gates_BGHW.addcmul(follow_B2G11[:, 0], moved_BHW[:, None])
            return moved_gates_BGHW.addcmul(follow_B2G11[:, 1], gripped_BHW[:, None])
        # Compiled, gate by gate and stacked: the compiler then keeps one map per gate, as eager does, not the
        # gates of a pixel side by side as the pixel layer writes them (its per-pixel loops would not be
        # vectorised along pixels, and the step takes ~10 % longer).
        gates = [
            gate_BHW + follow_B2G11[:, 0, g] * moved_BHW + follow_B2G11[:, 1, g] * gripped_BHW
            for g, gate_BHW in enumerate(gates_BGHW.unbind(1))
        ]
        return torch.stack(gates, 1)

    @staticmethod
    def _drawn_doubt(state: State, new_state: State, doubt_BHW: Tensor) -> State:
        """The new state with each pixel's doubt where its colour changed, and none where it kept its colour.

        Doubt on every pixel feeds itself: a pixel in doubt is kept less surely, which is
        more doubt, and the model trained with it had twice as many pixels in doubt closed
        loop, none of them mended more often. A colour kept is not a colour drawn.
        """
        return {**new_state, "doubt": torch.where(new_state["screen"] != state["screen"], doubt_BHW, 0.0)}

    def _follow_doubt(self, state: State, context_B2C: Tensor, gates_BGHW: Tensor) -> Tensor:
        """The gates plus each pixel's doubt times a weight per gate from the context ([the grip's logit, last
        with `grip_latch`, as it was]).

        Closed loop the screen is the model's own drawing, and a pixel drawn unsure (part of
        a window it half expected to open) looks to the cells like any other: the keep gate
        copies it for good. Its doubt (one minus the probability of the colour it changed
        to at the last step; none where it kept its colour, nor on a screen seen) says which
        pixels to take back. Teacher forced, `repair` leaves the model's own pixels with
        their doubt, so training sees both kinds.
        """
        follow_BG11 = self.doubt_gates(context_B2C)[:, :, None, None]
        gates = gates_BGHW[:, : self.sources + 1].addcmul(follow_BG11, state["doubt"][:, None])
        return torch.cat([gates, gates_BGHW[:, self.sources + 1 :]], 1)

    def _sources(self, state: State, pointer_B2: Tensor) -> Tensor:
        """The old colours each pixel may keep, (B, sources, H, W): its own, [the one the pointer's move drags
        onto it,] [the ones under it, nearest first]."""
        sources = [state["screen"][:, None]]
        if self.config.drag:
            sources.append(drag(state["screen"], state["pointer"], pointer_B2)[:, None])
        if self.config.under:
            sources.append(state["under"])
        return torch.cat(sources, 1)

    def _hidden(self, memory_BCHW: Tensor) -> Tensor:
        """The decoder's features of each cell, channels last: (B, grid_h, grid_w, decoder_channels)."""
        return convolve(self.decoder, memory_BCHW).permute(0, 2, 3, 1)

    def _let_in(self, pictures_XP: Tensor, hidden_XD: Tensor) -> Tensor:
        """The cells' pictures (any leading shape X, then the pixels' logits P) times the gate their
        memory's features (X, decoder_channels) open; as they are without `canvas_gate`.

        The context picks a mix of pictures for the whole screen, so a step that resembles
        an opening (a press on a title bar's button, which closes a window) can draw a
        window where the desktop should come back; only a cell's own memory knows whether
        its place is about to show a window.
        """
        if self.canvas_gate is None:
            return pictures_XP
        return pictures_XP * torch.sigmoid(self.canvas_gate(hidden_XD))

    def _decode(self, hidden_BhwD: Tensor, rows: Tensor, plus_BhwP: Tensor | None = None) -> Tensor:
        """The pixel layer's outputs of one kind (its `rows`: O per pixel) [plus `plus_BhwP`, in the same order:
        the pictures of `canvas`], as per-pixel maps (B, O, H, W).

        The colour logits are decoded apart from the rest rather than all at once and
        sliced: in training, the backward of each slice of one (B, K + gates + 1, H, W) map
        fills a zero map of that whole size, 4-15 % of a training step's CPU time in profiles.
        """
        B, s = len(hidden_BhwD), self.config.stride
        gh, gw = self.grid
        out_BhwP = F.linear(hidden_BhwD, self.pixels.weight[rows], self.pixels.bias[rows])  # O per pixel, per cell
        if plus_BhwP is not None:
            out_BhwP = out_BhwP + plus_BhwP
        out_BOHW = out_BhwP.view(B, gh, gw, s, s, -1).permute(0, 5, 1, 3, 2, 4).reshape(B, -1, gh * s, gw * s)
        H, W = self.config.height, self.config.width
        return out_BOHW if (H, W) == out_BOHW.shape[2:] else out_BOHW[:, :, :H, :W]

    def _read(self, state: State) -> Tensor:
        """Features of each cell's patch of the screen, plus those of its patches of `under`: (B, screen_channels,
        grid_h, grid_w). All tables in one bag per cell (one lookup, not one per layer)."""
        B, s = len(state["screen"]), self.config.stride
        gh, gw = self.grid
        layers_BLHW = state["screen"][:, None]
        if self.config.under:
            layers_BLHW = torch.cat([layers_BLHW, state["under"]], 1)
        layers_BLHW = F.pad(layers_BLHW, (0, gw * s - layers_BLHW.shape[3], 0, gh * s - layers_BLHW.shape[2]))
        patches_NP = layers_BLHW.view(B, -1, gh, s, gw, s).permute(0, 2, 4, 1, 3, 5).reshape(B * gh * gw, -1).long()
        tables = [self.read_screen.weight, self.read_under.weight] if self.config.under else [self.read_screen.weight]
        features_NS = SumRows.apply(patches_NP + self.pixel_rows, torch.cat(tables))
        return features_NS.view(B, gh, gw, -1).permute(0, 3, 1, 2)

    def _match(self, memory_BCHW: Tensor, under_pointer_BC: Tensor) -> Tensor:
        """Per head, how alike each cell's memory and the memory under the pointer are: (B, heads, grid_h, grid_w).

        The dot product of each cell's query (a 1x1 convolution of its memory) with the
        key, worked out the other way round: q(m) . k = m . (W^T k) + b . k, so the key
        becomes one vector over the memory's channels per head, and no cell computes a query.
        """
        B, heads, c = len(memory_BCHW), self.config.pointer_match, self.config.channels
        key_BHD = self.match_key(under_pointer_BC).view(B, heads, MATCH_WIDTH)
        weight_HDC, bias_HD = self.match_query.weight.view(heads, MATCH_WIDTH, c), self.match_query.bias.view(heads, -1)
        probe_BHC = (key_BHD[:, :, None] @ weight_HDC)[:, :, 0]
        match_BHhw = (probe_BHC @ memory_BCHW.flatten(2)).view(B, heads, *self.grid)
        return (match_BHhw + (key_BHD * bias_HD).sum(2)[:, :, None, None]) / MATCH_WIDTH**0.5

    def _under(self, memory_BCHW: Tensor, xy_B2: Tensor) -> Tensor:
        """The memory of the cell under the pointer, (B, C); zero where the position is unknown."""
        cell_B2 = xy_B2.clamp(min=0) // self.config.stride
        under_BC = memory_BCHW[torch.arange(len(xy_B2), device=xy_B2.device), :, cell_B2[:, 1], cell_B2[:, 0]]
        return under_BC * (xy_B2[:, :1] >= 0)


def fold_under(under_BDHW: Tensor, before_BHW: Tensor, screen_BHW: Tensor, kept_BHW: Tensor | None = None) -> Tensor:
    """`under` (B, D, H, W), nearest layer first, once the screen went from `before` to `screen` [left as it was
    where `kept_BHW` says: `carried_by_drag`].

    Where a pixel changed, the colour it left goes on top. If its new colour was in one of
    its layers, that layer is taken out (a window given back, raised or restored swaps
    places with what covered it), else the deepest is dropped. One layer: each pixel's
    colour before its last change.
    """
    layers, moves_BHW, above_BHW = [], screen_BHW != before_BHW, before_BHW
    if kept_BHW is not None:
        moves_BHW = moves_BHW & ~kept_BHW
    for d, layer_BHW in enumerate(under_BDHW.unbind(1)):  # layer d moves down where no layer above held the colour
        if d:
            moves_BHW = moves_BHW & (above_BHW != screen_BHW)
        layers.append(torch.where(moves_BHW, above_BHW, layer_BHW))
        above_BHW = layer_BHW
    return torch.stack(layers, 1)


def carried_by_drag(before_BHW: Tensor, screen_BHW: Tensor, old_xy_B2: Tensor, new_xy_B2: Tensor) -> Tensor:
    """The pixels (B, H, W) that changed as a window's contents slid across them with the pointer's move: the
    colour they left moved on with it, and the colour they took moved in with it.

    Such a pixel is under the dragged window before and after the step, so what lies
    beneath the window there is what lay beneath it before. The window's leading edge (what
    it covers stays behind) and trailing edge (what it uncovers did not move in) are not
    carried, unless what lies around them is plain: a plain region looks the same moved.
    On the true screens the rule changes what `under` offers by a few points
    (`bench/colour_sources.py --carry`); closed loop, it keeps a model's own specks inside
    a dragged window out of `under`.
    """
    moved_B11 = ((old_xy_B2 >= 0).all(1) & (new_xy_B2 >= 0).all(1) & (old_xy_B2 != new_xy_B2).any(1))[:, None, None]
    came_BHW = drag(before_BHW, old_xy_B2, new_xy_B2) == screen_BHW
    went_BHW = drag(screen_BHW, new_xy_B2, old_xy_B2) == before_BHW
    return came_BHW & went_BHW & (screen_BHW != before_BHW) & moved_B11


def plus_new(gates_BGHW: Tensor, plus_B1HW: Tensor) -> Tensor:
    """The gates with `plus_B1HW` added to the last, "new colour" (what the glyphs open)."""
    return torch.cat([gates_BGHW[:, :-1], gates_BGHW[:, -1:] + plus_B1HW], 1)


def convolve(layers: nn.Module, inputs_BCHW: Tensor) -> Tensor:
    """`layers(inputs_BCHW)`, in channels-last order when no gradient is taken.

    A step at batch 1 convolves a 32x32 grid: channels-last (oneDNN's own layout) runs
    its 3x3 convolutions ~25 % faster on a CPU, and leaves the decoder's features channels
    last for the pixel layer without a copy. With gradients (training) it is slower.
    """
    if torch.is_grad_enabled():
        return layers(inputs_BCHW)
    return layers(inputs_BCHW.contiguous(memory_format=torch.channels_last))


class SumRows(torch.autograd.Function):
    """`F.embedding_bag(rows_NP, table_RS, mode="sum")`: the sum of P rows of a table for each of N bags,
    with a cheaper backward.

    embedding_bag's own backward sorts every row looked up (262 k for a batch of 8 screens
    and their `under`), 15-21 % of a training step's CPU time in profiles. The table's
    gradient is only each bag's gradient added to its rows: P `index_add_`s, one per
    position in the bag, none of which repeats the gradient P times in memory.
    """

    @staticmethod
    def forward(ctx, rows_NP: Tensor, table_RS: Tensor) -> Tensor:
        ctx.save_for_backward(rows_NP)
        ctx.table_rows = len(table_RS)
        return F.embedding_bag(rows_NP, table_RS, mode="sum")

    @staticmethod
    def backward(ctx, grad_NS: Tensor) -> tuple[None, Tensor]:
        (rows_NP,) = ctx.saved_tensors
        grad_RS = grad_NS.new_zeros(ctx.table_rows, grad_NS.shape[1])
        for rows_N in rows_NP.T:
            grad_RS.index_add_(0, rows_N, grad_NS)
        return None, grad_RS
