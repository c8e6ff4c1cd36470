"""The NeuralComputer contract, for every architecture: shapes, dtypes, batching, defaults."""

import copy

import pytest
import torch
import torch.nn.functional as F
from toy_world import PALETTE, POINTER_COLOR, tiny_model, toy_clip

from neuralcomputer.errors import UserError
from neuralcomputer.model import ARCHS, NeuralComputer
from neuralcomputer.model.grid_gru import MATCH_WIDTH, SumRows, fold_under
from neuralcomputer.model.mixture import mix_colours


@pytest.mark.parametrize("arch", ARCHS)
def test_boot_and_step_contract(arch):
    model = tiny_model(arch)
    boot, actions = toy_clip()
    screens = torch.cat([boot, boot.flip(-1)])  # a batch of two different machines
    with torch.inference_mode():
        state = model.boot(screens)
        assert all(isinstance(v, torch.Tensor) and v.shape[0] == 2 for v in state.values())
        state, out = model.step(state, actions[0].repeat(2, 1))
    assert out.shape == (2, 32, 32) and out.dtype == torch.uint8
    assert int(out.max()) < len(PALETTE)


@pytest.mark.parametrize("arch", ARCHS)
def test_batch_rows_are_independent(arch):
    """A machine's screens do not depend on what else is in the batch."""
    model = tiny_model(arch)
    boot, actions = toy_clip()
    other = torch.randint(0, len(PALETTE), boot.shape, dtype=torch.uint8)
    with torch.inference_mode():
        alone, pair = model.boot(boot), model.boot(torch.cat([boot, other]))
        for a in actions:
            alone, alone_out = model.step(alone, a)
            pair, pair_out = model.step(pair, torch.cat([a, a]))
            torch.testing.assert_close(pair_out[:1], alone_out, atol=0, rtol=0)


def test_copy_last_frame_copies():
    model = tiny_model("copy-last-frame")
    boot, actions = toy_clip()
    state = model.boot(boot)
    for a in actions:
        state, out = model.step(state, a)
        assert torch.equal(out, boot)
    assert not list(model.parameters())


def test_grid_gru_starts_as_a_copy():
    """Gates initialised to 'keep' and a transparent pointer: an untrained model repeats the boot screen."""
    model = tiny_model("grid-gru")
    boot, actions = toy_clip()
    with torch.inference_mode():
        state = model.boot(boot)
        for a in actions:
            state, out = model.step(state, a)
            assert torch.equal(out, boot)


def test_grid_gru_pointer_register_follows_the_mouse():
    model = tiny_model("grid-gru")
    boot, actions = toy_clip()
    state = model.boot(boot)
    assert state["pointer"].tolist() == [[16, 16]]  # read off the boot screen
    with torch.inference_mode():
        state, _ = model.step(state, actions[0])
        assert state["pointer"].tolist() == [[3, 20]]
        state, _ = model.step(state, torch.tensor([[-1, -1, 1, 0, 0]]))  # no move: stays, button held
        assert state["pointer"].tolist() == [[3, 20]] and state["held"].tolist() == [1]


@pytest.mark.parametrize("arch", ["seed-gru", "grid-gru"])
def test_training_rollout_gives_gradients(arch):
    model = tiny_model(arch)
    boot, actions = toy_clip()
    frames = boot.repeat(len(actions), 1, 1)[None]
    loss, state = model(model.boot(boot), actions.transpose(0, 1), frames)
    loss.backward()
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert all(p.grad is not None for p in model.parameters())


def test_mix_colours_is_a_distribution_that_keeps_exactly():
    torch.manual_seed(0)
    sources = torch.randint(0, 5, (2, 2, 3, 3), dtype=torch.uint8)
    new_logits = torch.randn(2, 5, 3, 3) * 10  # confident, and mostly disagreeing
    gates = torch.tensor([4.0, 0.0, 0.0]).view(1, 3, 1, 1).expand(2, 3, 3, 3)  # ~96% on source 0
    logp = mix_colours(sources, gates, new_logits)
    torch.testing.assert_close(logp.logsumexp(1), torch.zeros(2, 3, 3))
    assert torch.equal(logp.argmax(1), sources[:, 0].long())


def test_sum_rows_is_embedding_bag_forward_and_back():
    """grid-gru reads each cell's pixels as a sum of table rows, with a cheaper backward than embedding_bag's."""
    torch.manual_seed(0)
    rows = torch.randint(0, 5, (64, 6)) + torch.arange(6) * 5  # 6 pixels of 5 colours per bag: distinct rows
    table = torch.randn(30, 3, requires_grad=True)
    weights = torch.randn(64, 3)
    (SumRows.apply(rows, table) * weights).sum().backward()
    ours, table.grad = table.grad, None
    (F.embedding_bag(rows, table, mode="sum") * weights).sum().backward()
    torch.testing.assert_close(SumRows.apply(rows, table), F.embedding_bag(rows, table, mode="sum"))
    torch.testing.assert_close(ours, table.grad)


@pytest.mark.parametrize(
    "size, scale, fields",
    [
        (32, 0.3, {}),
        (32, 1.0, {}),
        ((30, 22), 1.0, {}),
        ((30, 22), 1.0, {"glyphs": True}),
        (32, 1.0, {"grip_latch": True}),
        ((30, 22), 1.0, {"doubt": True}),
        (32, 1.0, {"under_depth": 3}),
    ],
)
def test_grid_gru_step_shows_the_most_likely_screen(size, scale, fields):
    """Its faster `step` (colour logits only where no old colour is sure to win, and the pointer's pixels
    classified again) equals the argmax of `transition`, screen and state alike: for a model that mostly
    keeps and one that changes most pixels, on a screen that is not a whole number of cells, and with
    glyphs drawn at a key press."""
    model = tiny_model("grid-gru", size=size, **fields)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))  # a model that changes pixels and draws a pointer
    boot = torch.randint(0, len(PALETTE), (2, model.config.height, model.config.width), dtype=torch.uint8)
    _, actions = toy_clip()
    changed = 0
    with torch.inference_mode():
        state = model.boot(boot)
        for a in actions:
            expected_state, expected = model.transition(state, a.repeat(2, 1))
            state, out = model.step(state, a.repeat(2, 1))
            assert torch.equal(out, expected.argmax(1).to(torch.uint8))
            assert torch.equal(state["screen"], expected_state["screen"])
            kept = state["screen"] == expected_state["before"]
            if "doubt" in state:  # worked out as `transition` does, from the colours decoded only where they count
                torch.testing.assert_close(state["doubt"], expected_state["doubt"], atol=1e-4, rtol=1e-3)
                assert (state["doubt"][kept] == 0).all() and state["doubt"].max() > 0
            changed += int((~kept).sum())
    assert 0 < changed < len(actions) * boot.numel()  # some pixels changed, and some were kept


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"drag": False, "under": False, "grip": False},
        {"glyphs": True},
        {"grip_latch": True},
        {"doubt": True},
        {"under_depth": 3},
    ],
)
def test_a_compiled_grid_gru_step_draws_the_same_screens_and_compiles_once(fields):
    """`compile_step` gives the eager step's screens on a model that changes pixels, and compiles once for a
    machine's whole run (a state after a step looks like one after boot to the compiled step's guards); also
    with one old colour per pixel and no grip (the compiled sure test and gates have their own form), and with
    glyphs (which the eager step skips without a key)."""
    eager = tiny_model("grid-gru", size=(30, 22), **fields)
    with torch.no_grad():
        for p in eager.parameters():
            p.add_(0.3 * torch.randn_like(p))
    compiled = copy.deepcopy(eager).compile_step()
    boot = torch.randint(0, len(PALETTE), (2, 22, 30), dtype=torch.uint8)
    _, actions = toy_clip(steps=8)
    graphs = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    with torch.inference_mode():
        state, fast = eager.boot(boot), compiled.boot(boot)
        for a in actions:
            state, out = eager.step(state, a.repeat(2, 1))
            fast, fast_out = compiled.step(fast, a.repeat(2, 1))
            assert torch.equal(fast_out, out) and torch.equal(fast["screen"], state["screen"])
            torch.testing.assert_close(fast["memory"], state["memory"])
    assert (state["screen"] != boot).any()  # it did change pixels
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] == graphs + 1


def test_grid_gru_memory_lifetime_clears_the_memory_and_keeps_the_registers():
    """With `memory_lifetime` 3 a machine steps as one without it for 3 steps; its 4th step starts from an empty
    memory with every register (screen, under, grip, pointer, button) as it was."""
    model = tiny_model("grid-gru", memory_lifetime=3)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    ageless = tiny_model("grid-gru")
    ageless.load_state_dict(model.state_dict())
    boot, actions = toy_clip()
    with torch.inference_mode():
        state, twin = model.boot(boot), ageless.boot(boot)
        for a in actions[:3]:
            (state, out), (twin, twin_out) = model.step(state, a), ageless.step(twin, a)
            assert torch.equal(out, twin_out) and torch.equal(state["memory"], twin["memory"])
        assert state["age"].tolist() == [3]
        (state, out), (cleared, cleared_out) = model.step(state, actions[3]), ageless.step(
            {**twin, "memory": torch.zeros_like(twin["memory"])}, actions[3]
        )
        kept, _ = ageless.step(twin, actions[3])
    assert torch.equal(out, cleared_out) and torch.equal(state["memory"], cleared["memory"])
    assert not torch.equal(state["memory"], kept["memory"])  # the memory it would have kept mattered
    assert state["age"].tolist() == [4]


def test_compile_step_without_a_compiler_says_so(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("CXX", raising=False)
    with pytest.raises(UserError, match="C\\+\\+ compiler"):
        tiny_model("grid-gru").compile_step()


@pytest.mark.parametrize("arch", ARCHS)
def test_screens_of_any_size(arch):
    """Sizes that are not a whole number of cells (Atari's 160x210, DOOM's 160x120) are padded inside, not refused."""
    model = tiny_model(arch, size=(30, 22))
    boot = torch.randint(0, len(PALETTE), (2, 22, 30), dtype=torch.uint8)
    with torch.inference_mode():
        state, out = model.step(model.boot(boot), torch.tensor([[5, 7, 0, 0, 0]]).repeat(2, 1))
    assert out.shape == (2, 22, 30)
    loss, _ = model(model.boot(boot), torch.zeros(2, 3, 5, dtype=torch.long), boot[:, None].repeat(1, 3, 1, 1))
    assert torch.isfinite(loss)


@pytest.mark.parametrize("arch", ARCHS)
def test_a_model_draws_with_its_own_colours(arch):
    """With `colors` a subset of the palette, screens still come in and go out as palette indices; a colour
    outside the subset reads as its nearest one."""
    model = tiny_model(arch, colors=[0, 2, 3])  # without 1 (dark blue), whose nearest is 0 (black)
    assert model.num_colors == 3
    boot, actions = toy_clip()
    with torch.inference_mode():
        state = model.boot(boot)
        for a in actions:
            state, out = model.step(state, a)
            assert set(out.unique().tolist()) <= {0, 2, 3}
    if arch != "seed-gru":  # an untrained copy: the boot screen, blue turned black
        assert torch.equal(out, torch.where(boot == 1, 0, boot))


def test_the_pointer_colour_must_be_drawable():
    with pytest.raises(ValueError, match="pointer's colour 3"):
        tiny_model("grid-gru", colors=[0, 1, 2])


def test_observing_a_real_screen_keeps_grid_gru_memory():
    """Teacher forcing: the real screen replaces the predicted one, the memory and the held button stay,
    and under the pointer the model's own screen stays (the real one shows the pointer there, not what it hides)."""
    model = tiny_model("grid-gru")
    boot, actions = toy_clip()
    with torch.no_grad():
        state = model.boot(boot)
        for a in actions:
            state, _ = model.step(state, a)
        seen = model.observe(state, boot.flip(-1))
        assert seen["memory"] is state["memory"] and seen["held"] is state["held"]
        assert seen["pointer"].tolist() == [[14, 16]]  # read off the real screen: the flipped 2x2 pointer
        _, out = model.step(seen, torch.tensor([[-1, -1, 0, 0, 0]]))  # untrained: a copy of what it saw
    assert torch.equal(out, boot.flip(-1))
    assert torch.equal(seen["screen"], boot.flip(-1))  # an untrained sprite is transparent: no footprint

    with torch.no_grad():
        model.sprite.opacity.fill_(1.0)  # now it covers its whole 8x8 window
        seen = model.observe(state, boot.flip(-1))
    under = (slice(None), slice(12, 20), slice(10, 18))  # the window around the hotspot (14, 16), origin 4 (8 // 2)
    assert torch.equal(seen["screen"][under], state["screen"][under])


@pytest.mark.parametrize(
    "fields, colors, length",
    [
        ({}, None, 9),
        ({"under": False}, None, 9),
        ({}, [0, 2, 3], 9),
        ({}, None, 2),
        ({"under_depth": 3}, None, 9),
        ({"drag_keeps_under": True}, None, 9),
    ],
)
def test_grid_gru_watches_a_history_as_one_screen_after_another(fields, colors, length):
    """Booting on a history watches it in a few passes over all of it; the state is the one of watching
    each screen in turn: `under`, and the pointer's footprint filled from the screens before (a pixel under
    the pointer on several screens running takes its colour from before all of them); with a palette of
    its own too."""
    model = tiny_model("grid-gru", colors=colors, **fields)
    with torch.no_grad():
        model.sprite.opacity[2:6, 2:6] = 1.0  # a 4x4 footprint around the hotspot
    torch.manual_seed(1)
    history = torch.randint(0, 3, (2, 9, 32, 32), dtype=torch.uint8)  # pointer colour 3 only where drawn
    history[:, :, 10:20, 5:25] = history[:, :1, 10:20, 5:25]  # a region that changes only now and then
    history[:, 4:, 12:15, 8:14] = 2
    for t, (x, y) in enumerate([(3, 3), (20, 20), (21, 20), (21, 21), (8, 12), (30, 30), (9, 12), (9, 12), (0, 0)]):
        history[0, t, y : y + 2, x : x + 2] = POINTER_COLOR  # the 2x2 toy pointer
    history[1, :, 16:18, 16:18] = POINTER_COLOR  # one that never moves
    history = history[:, -length:]
    with torch.no_grad():
        state = model.boot(history)
        booted = model._boot(model.to_colors[history[:, 0].long()])
        one_by_one = NeuralComputer._watch_history(model, booted, history[:, 1:])  # the base class: one by one
    assert state.keys() == one_by_one.keys()
    for name, value in one_by_one.items():
        assert torch.equal(state[name], value), name
    assert (state["screen"] != model.to_colors[history[:, -1].long()]).any()  # the footprint was filled in


@pytest.mark.parametrize("arch", ARCHS)
def test_a_machine_booted_mid_drag_knows_the_button_is_down(arch):
    """Booted with the button held, grid-gru's button register starts down and the next "up" lets it go;
    a model without one boots as it would with the button up."""
    model = tiny_model(arch)
    boot, _ = toy_clip()
    with torch.inference_mode():
        held, up = model.boot(boot, torch.tensor([True])), model.boot(boot)
        if arch == "grid-gru":
            assert held["held"].tolist() == [1] and up["held"].tolist() == [0]
            released, _ = model.transition(held, torch.tensor([[-1, -1, 2, 0, 0]]))
            assert released["held"].tolist() == [0]
        else:
            assert held.keys() == up.keys() and all(torch.equal(held[k], up[k]) for k in up)


@pytest.mark.parametrize("place", [False, True])
def test_grid_gru_cells_know_their_place_only_with_place(place):
    """A convolution treats every cell alike; the place embedding is what lets cells far from any border
    (and from the pointer) differ on the same input, so that a cell can learn what belongs where it is."""
    model = tiny_model("grid-gru", size=48, place=place)
    with torch.no_grad():
        if place:
            model.place.normal_()  # as if trained
    blank = torch.zeros(1, 48, 48, dtype=torch.uint8)  # one colour, no pointer: every cell sees the same
    with torch.inference_mode():
        state, _ = model.transition(model.boot(blank), torch.tensor([[-1, -1, 0, 0, 0]]))
    inner = state["memory"][0, :, 2:-2, 2:-2]  # cells whose 3x3 neighbourhood never reaches the border
    differ = not torch.allclose(inner, inner[:, :1, :1].expand_as(inner))
    assert differ == place


def test_grid_gru_place_context_starts_as_without_it_then_acts_by_place():
    """The product of the context and the cell's place starts at zero, so adding it changes nothing before
    training; once learnt it lets cells that see the same thing differ by where they are, without `place`."""
    without = tiny_model("grid-gru", size=48, place=False, place_context=0)
    model = tiny_model("grid-gru", size=48, place=False, place_context=4)
    model.load_state_dict(without.state_dict(), strict=False)  # all but the new weights shared
    _, actions = toy_clip()
    screens = torch.randint(0, len(PALETTE), (1, 48, 48), dtype=torch.uint8)
    blank = torch.zeros(1, 48, 48, dtype=torch.uint8)  # one colour, no pointer: every cell sees the same
    with torch.inference_mode():
        a, b = without.boot(screens), model.boot(screens)
        for action in actions:
            (a, screen_a), (b, screen_b) = without.step(a, action), model.step(b, action)
            assert torch.equal(screen_a, screen_b)
        torch.nn.init.normal_(model.place_maps)  # as if trained
        state, _ = model.transition(model.boot(blank), torch.tensor([[-1, -1, 0, 0, 0]]))
    inner = state["memory"][0, :, 2:-2, 2:-2]  # cells whose 3x3 neighbourhood never reaches the border
    assert not torch.allclose(inner, inner[:, :1, :1].expand_as(inner))


def test_grid_gru_pointer_look_starts_as_without_it_then_tells_the_context_what_the_pointer_is_on():
    """The square's rows start at zero, so adding it changes nothing before training; once learnt, a pixel next
    to the pointer moves the whole context (every cell's gates) in one step, and one outside the square not."""
    without = tiny_model("grid-gru", size=48)
    model = tiny_model("grid-gru", size=48, pointer_look=5)
    model.load_state_dict(without.state_dict(), strict=False)  # all but the square's rows shared
    _, actions = toy_clip()
    screens = torch.randint(0, POINTER_COLOR, (1, 48, 48), dtype=torch.uint8)  # the pointer is not on it
    with torch.inference_mode():
        a, b = without.boot(screens), model.boot(screens)
        for action in actions:
            (a, screen_a), (b, screen_b) = without.step(a, action), model.step(b, action)
            assert torch.equal(screen_a, screen_b)
    torch.nn.init.normal_(model.look.data)  # as if trained
    state = model.boot(screens)
    state["pointer"] = torch.tensor([[20, 20]])
    still = torch.tensor([[-1, -1, 0, 0, 0]])  # no move: the pointer stays at (20, 20)

    def context(y, x):  # the memory of a far cell after one step with pixel (y, x) recoloured
        screen = state["screen"].clone()
        screen[0, y, x] = (screen[0, y, x] + 1) % POINTER_COLOR
        with torch.no_grad():
            new, _ = model.transition({**state, "screen": screen}, still)
        return new["memory"][0, :, -1, -1]

    base = context(0, 0)  # far from both the pointer and the far cell: the same context as the screen itself
    assert not torch.allclose(context(22, 18), base)  # inside the 5x5 square
    torch.testing.assert_close(context(20, 23), base)  # one pixel outside it


def test_grid_gru_canvas_starts_as_without_it_then_draws_its_picture_where_the_context_picks_it():
    """Each place-context map is also a picture (colour logits per pixel), zero at first, so adding it changes
    nothing before training; once learnt, a context that picks a map draws its picture to the pixel wherever
    the gates take a new colour, in `transition` and in `step` alike (a screen that is not whole cells),
    unless the cells' memory closes the picture gate."""
    without = tiny_model("grid-gru", size=(30, 22), canvas=False)
    model = tiny_model("grid-gru", size=(30, 22), canvas_gate=True)
    model.load_state_dict(without.state_dict(), strict=False)  # all but the pictures and their gate shared
    _, actions = toy_clip()
    screens = torch.randint(0, len(PALETTE), (1, 22, 30), dtype=torch.uint8)
    with torch.inference_mode():
        a, b = without.boot(screens), model.boot(screens)
        for action in actions:
            (a, screen_a), (b, screen_b) = without.step(a, action), model.step(b, action)
            assert torch.equal(screen_a, screen_b)

    k, s = model.num_colors, model.config.stride
    (gh, gw), picture = model.grid, torch.randint(0, k, (22, 30))
    logits = F.pad(20 * F.one_hot(picture, k), (0, 0, 0, gw * s - 30, 0, gh * s - 22))  # (H, W, K), whole cells
    with torch.no_grad():
        model.canvas.zero_()  # map 1's picture, per cell in the pixel layer's order: its s*s pixels, K colours each
        model.canvas[1] = logits.view(gh, s, gw, s, k).permute(0, 2, 1, 3, 4).reshape(gh, gw, -1)
        model.context_rank.weight.zero_()
        model.context_rank.bias.copy_(F.one_hot(torch.tensor(1), model.config.place_context))  # every context picks it
        model.pixels.weight.zero_()  # the pixel layer says nothing of colours, and every gate takes the new one
        model.pixels.bias.view(s * s, -1)[:, :k].zero_()
        model.pixels.bias.view(s * s, -1)[:, k : k + model.sources + 1] = torch.tensor([-50.0] * model.sources + [50])
    with torch.inference_mode():
        state = model.boot(screens)
        (by_transition, _), (by_step, _) = model.transition(state, actions[0]), model.step(state, actions[0])
    assert torch.equal(by_transition["screen"][0].long(), picture)
    assert torch.equal(by_step["screen"][0].long(), picture)
    with torch.no_grad():  # the cells' memory keeps the pictures out: every logit is 0 again, colour 0 wins
        model.canvas_gate.bias.fill_(-50.0)
    with torch.inference_mode():
        (by_transition, _), (by_step, _) = model.transition(state, actions[0]), model.step(state, actions[0])
    assert not by_transition["screen"].any() and not by_step["screen"].any()


def test_grid_gru_pointer_match_compares_every_cell_with_the_one_under_the_pointer():
    """What the pointer's cell holds reaches the match of every cell at once, the far corner too; what any
    other cell holds changes only its own match (a 3x3 convolution would need a step per cell)."""
    model = tiny_model("grid-gru", size=48, pointer_match=2)
    memory = torch.randn(1, 8, 12, 12)  # 12x12 cells of 8 channels
    pointer = torch.tensor([[2, 2]])  # in cell (0, 0)

    def match(memory):
        with torch.no_grad():
            return model._match(memory, model._under(memory, pointer))[0]

    base = match(memory)
    with torch.no_grad():  # each head's query of every cell, dotted with the key of the cell under the pointer
        query = model.match_query(memory).view(2, MATCH_WIDTH, 12, 12)
        key = model.match_key(memory[0, :, 0, 0]).view(2, MATCH_WIDTH, 1, 1)
    torch.testing.assert_close(base, (query * key).sum(1) / MATCH_WIDTH**0.5)
    pointed, other = memory.clone(), memory.clone()
    pointed[0, :, 0, 0] += 1
    other[0, :, 5, 7] += 1
    assert not torch.allclose(match(pointed)[:, -1, -1], base[:, -1, -1])
    assert (match(other) != base).any(0).nonzero().tolist() == [[5, 7]]


def test_grid_gru_under_layer_keeps_what_each_change_covered():
    """`under` holds, per pixel, the colour before its last change: a box drawn over the background leaves
    the background there, a second box over the first leaves the first where they overlap. A screen shown
    instead of a prediction (teacher forcing) counts, the prediction it replaced does not."""
    model = tiny_model("grid-gru")
    blank = torch.zeros(1, 32, 32, dtype=torch.uint8)
    first, second = blank.clone(), blank.clone()
    first[:, 4:20, 4:20] = 1
    second[:, 4:20, 4:20] = 1
    second[:, 12:28, 12:28] = 2
    with torch.no_grad():
        state = model.boot(torch.stack([blank, first, second], 1))  # a history: boot, then watch
        assert torch.equal(state["screen"], second)
        state, _ = model.transition(state, torch.tensor([[-1, -1, 0, 0, 0]]))  # folds `second` into under
        expected = blank.clone()
        expected[:, 12:20, 12:20] = 1  # the first box, under the second
        assert torch.equal(state["under"], expected[:, None])  # one layer

        state["screen"] = torch.full_like(blank, 3)  # a (wrong) prediction, replaced by the truth:
        state = model.observe(state, blank)  # the boxes close
        state, _ = model.transition(state, torch.tensor([[-1, -1, 0, 0, 0]]))
    assert torch.equal(state["under"], second[:, None])  # the boxes' colours where they closed, else the background


def test_grid_gru_under_stack_gives_back_what_two_closes_uncover():
    """With `under_depth` 2, a box opened over another and both closed in turn leave the background in the
    layers where one layer holds the first box: the second close finds what it uncovers. A box raised over
    the one that covered it swaps places with it, so lowering it again finds the other box."""
    blank = torch.zeros(1, 32, 32, dtype=torch.uint8)
    first, both = blank.clone(), blank.clone()
    first[:, 4:20, 4:20] = 1
    both[:, 4:20, 4:20] = 1
    both[:, 12:28, 12:28] = 2  # the second box over the first
    overlap = (slice(None), slice(12, 20), slice(12, 20))
    screens = [blank, first, both, first]  # the second box closes
    depth = {d: tiny_model("grid-gru", under_depth=d) for d in (1, 2)}
    with torch.no_grad():
        states = {d: m._watch_history(m._boot(blank), torch.stack(screens[1:] + [blank], 1)) for d, m in depth.items()}
    assert torch.equal(states[1]["under"][:, 0][overlap], torch.full((1, 8, 8), 2, dtype=torch.uint8))  # 2 closed
    assert torch.equal(states[2]["under"][:, 1][overlap], blank[overlap])  # the background, one layer down

    raised = both.clone()
    raised[:, 4:20, 4:20] = 1  # the first box raised over the second
    stack = fold_under(blank[:, None].repeat(1, 2, 1, 1), blank, first)
    stack = fold_under(stack, first, both)
    stack = fold_under(stack, both, raised)
    assert torch.equal(stack[:, 0][overlap], both[overlap]) and torch.equal(stack[:, 1][overlap], blank[overlap])
    assert torch.equal(fold_under(stack, raised, both)[:, 0][overlap], raised[overlap])  # lowered: swapped back


def test_grid_gru_refuses_configs_it_cannot_build():
    with pytest.raises(UserError, match="under_depth"):
        tiny_model("grid-gru", under_depth=0)
    with pytest.raises(UserError, match="needs under"):
        tiny_model("grid-gru", under=False, drag_keeps_under=True)
    with pytest.raises(UserError, match="pointer_look is a side"):
        tiny_model("grid-gru", pointer_look=-1)


@pytest.mark.parametrize("keeps", [False, True])
def test_grid_gru_under_stays_beneath_a_dragged_window_only_with_drag_keeps_under(keeps):
    """A striped box dragged across the background by the pointer: the fold pushes the stripes that slide
    across each pixel onto `under`, so what the box leaves behind has its own colours there; with
    `drag_keeps_under` the pixels a drag carried keep what lay beneath the box, the background. A pixel that
    changed with no move of the pointer is folded as before."""
    blank = torch.zeros(1, 32, 32, dtype=torch.uint8)
    screens = []
    for x in (4, 5, 7, 8, 11):  # the box's left edge, moved with the pointer
        screen = blank.clone()
        screen[:, 6:14, x : x + 10] = 1
        screen[:, 6:14, x : x + 10 : 2] = 2  # stripes: every other column
        screen[:, 9:11, x + 4 : x + 6] = POINTER_COLOR  # the 2x2 toy pointer, held on the box
        screens.append(screen)
    model = tiny_model("grid-gru", drag_keeps_under=keeps)
    with torch.no_grad():
        state = model._watch_history(model._boot(blank), torch.stack(screens, 1))
        state, _ = model.transition(state, torch.tensor([[-1, -1, 0, 0, 0]]))  # folds the last screen
    if keeps:
        assert torch.equal(state["under"], blank[:, None])  # beneath the box, wherever it went: the background
    else:
        assert set(state["under"][:, 0, 6:14, 4:21].unique().tolist()) >= {1, 2}  # its stripes pushed on
    closed = model._fold({**state, "screen": blank, "before": screens[-1]})  # the box closes, the pointer still
    assert torch.equal(closed["under"][:, 0, 6:14, 11:21] > 0, torch.ones(1, 8, 10, dtype=torch.bool))


@pytest.mark.parametrize("depth", [1, 2])
def test_grid_gru_can_take_back_exactly_what_was_under(depth):
    """With the gate on `under`, a step draws the under layer exactly (a window closing gives back the
    desktop it covered); with `under_depth` 2 and the gate on the second layer, what lay under two windows
    opened one over the other (both closing at once give back the desktop)."""
    model = tiny_model("grid-gru", under_depth=depth)
    covered = torch.zeros(1, 32, 32, dtype=torch.uint8)
    covered[:, 8:24, 2:30:2] = 2  # stripes a memory cell could not hold exactly
    screens = [covered, covered.clone()]
    screens[1][:, 6:26, 6:26] = 1
    if depth == 2:
        screens.append(screens[1].clone())
        screens[2][:, 14:30, 14:30] = 2  # the second window, over the first
    k = model.num_colors
    with torch.no_grad():
        gates = model.pixels.bias.view(model.config.stride**2, -1)[:, k:]
        gates.fill_(-20.0)
        gates[:, 1 + depth] = 20.0  # sources: keep, drag, under's layers; then new
        _, out = model.step(model.boot(torch.stack(screens, 1)), torch.tensor([[-1, -1, 0, 0, 0]]))
    assert torch.equal(out, covered)


def test_grid_gru_doubt_starts_as_without_it_then_lets_its_gates_take_back_unsure_pixels():
    """With `doubt` a machine steps as one without it until its doubt gates learn; a screen seen leaves no
    doubt; a gate that follows doubt takes back, from `under`, exactly the pixels drawn unsure, and a pixel
    changed leaves one minus the probability of its colour, one kept none."""
    model = tiny_model("grid-gru", doubt=True)
    plain = tiny_model("grid-gru")
    plain.load_state_dict({k: v for k, v in model.state_dict().items() if not k.startswith("doubt_gates")})
    boot, actions = toy_clip()
    with torch.no_grad():
        state, same = model.boot(boot), plain.boot(boot)
        assert torch.equal(state["doubt"], torch.zeros(boot.shape))
        for a in actions:
            state, out = model.step(state, a)
            same, expected = plain.step(same, a)
            assert torch.equal(out, expected)

    covered, window = torch.zeros(1, 32, 32, dtype=torch.uint8), torch.zeros(1, 32, 32, dtype=torch.uint8)
    covered[:, 8:24, 2:30:2] = 2
    window[:] = covered
    window[:, 6:26, 6:26] = 1
    with torch.no_grad():
        model.doubt_gates.bias[2] = 40.0  # gates: keep, drag, under, new
        booted = model.boot(torch.stack([covered, window], 1))
        booted["doubt"][:, 10:16, 10:16] = 1.0  # a patch the model drew unsure
        state, _ = model.transition(booted, torch.tensor([[-1, -1, 0, 0, 0]]))
        expected = window.clone()
        expected[:, 10:16, 10:16] = covered[:, 10:16, 10:16]
        assert torch.equal(state["screen"], expected)
        assert state["doubt"][:, 10:16, 10:16].max() < 1e-6  # taken back, surely
        assert (state["doubt"][expected == window] == 0).all()  # kept
        model.doubt_gates.bias[2] = 3.6  # under now holds ~0.6 of the weight where the patch is in doubt
        state, _ = model.transition(booted, torch.tensor([[-1, -1, 0, 0, 0]]))
    assert torch.equal(state["screen"], expected)
    changed = state["doubt"][:, 10:16, 10:16][expected[:, 10:16, 10:16] != window[:, 10:16, 10:16]]
    assert len(changed) and (0.3 < changed).all() and (changed < 0.6).all()


@pytest.mark.parametrize("latch", [False, True])
def test_grid_gru_grip_moves_with_the_pointer_and_picks_the_pixels_a_drag_moves(latch):
    """The grip (each pixel's "I move with the pointer") is carried to the next step moved exactly by the
    pointer's move, so a drag gate that follows it takes the dragged colour on exactly the moved box's pixels,
    at any offset inside a cell, and keeps every other pixel (no cell has to know the box to the pixel). With
    `grip_latch` the grip follows itself too: the new grip is the moved box, held for the next move."""
    model = tiny_model("grid-gru", grip=True, grip_latch=latch)
    screen = torch.zeros(1, 32, 32, dtype=torch.uint8)
    screen[:, 5:14, 6:13] = 1  # a box whose edges are not on cell borders
    screen[:, 20:30, 2:30:3] = 2  # stripes, where a pixel taking the drag would show
    with torch.no_grad():
        model.grip_gates.bias.view(2, -1)[0, 1] = 20.0  # the drag gate follows the moved grip
        model.grip_gates.bias.view(2, -1)[0, -1] = 40.0 * latch  # [and so does the grip: -3 + 40 > 0]
        state = model.boot(screen)
        state["grip"] = torch.where(screen == 1, 20.0, -20.0)  # the box is gripped
        state["pointer"] = torch.tensor([[8, 8]])
        state, _ = model.transition(state, torch.tensor([[11, 10, 0, 0, 0]]))  # moved by (3, 2)
    moved = torch.zeros_like(screen, dtype=torch.bool)
    moved[:, 7:16, 9:16] = True
    expected = torch.where(moved, 1, screen)
    assert torch.equal(state["screen"], expected)
    assert state["grip"].shape == screen.shape  # the grip of the new screen, for the next step
    assert torch.equal(state["grip"] > 0, moved) == latch


def test_repair_leaves_whole_blocks_of_the_models_own_screen():
    """Teacher forced with `repair`, the screen a model goes on from is the truth, except in whole 8x8 blocks
    where it is the model's own prediction (here: an untrained copy of the old screen), in a share that is
    drawn per screen; without `repair` it is all truth."""
    model = tiny_model("grid-gru")
    before = torch.zeros(64, 32, 32, dtype=torch.uint8)
    actions = torch.tensor([[-1, -1, 0, 0, 0]]).repeat(64, 1, 1)
    after = torch.ones(64, 1, 32, 32, dtype=torch.uint8)  # every pixel changes: a change it cannot know
    with torch.no_grad():
        _, seen = model(model.boot(before), actions, after, teacher_forced=True)
        torch.manual_seed(0)
        _, mended = model(model.boot(before), actions, after, teacher_forced=True, repair=1.0)
    assert torch.equal(seen["screen"], after[:, 0])
    own = mended["screen"] == 0
    blocks = own.view(64, 4, 8, 4, 8)
    assert torch.equal(blocks.all((2, 4)), blocks.any((2, 4)))  # each block wholly the model's or wholly true
    shares = own.float().mean((1, 2))
    assert 0.3 < shares.mean() < 0.7 and shares.min() < 0.2 and shares.max() > 0.8  # share ~ U(0, 1)


def test_repair_leaves_the_models_doubt_in_its_own_blocks():
    """With `doubt`, the blocks `repair` leaves as the model's own prediction keep its doubt there (on the
    pixels it changed); the true blocks around them have none."""
    model = tiny_model("grid-gru", doubt=True)
    k = model.num_colors
    before = torch.zeros(64, 32, 32, dtype=torch.uint8)
    actions = torch.tensor([[-1, -1, 0, 0, 0]]).repeat(64, 1, 1)
    after = torch.ones(64, 1, 32, 32, dtype=torch.uint8)
    with torch.no_grad():
        model.pixels.bias.view(model.config.stride**2, -1)[:, k : k + 3] = -20.0  # a new colour on every pixel,
        torch.manual_seed(0)  # as unsure as the untrained colour logits are
        _, mended = model(model.boot(before), actions, after, teacher_forced=True, repair=1.0)
    own = mended["screen"] != 1
    blocks = own.view(64, 4, 8, 4, 8).any(4, keepdim=True).any(2, keepdim=True).expand(64, 4, 8, 4, 8)
    assert own.any() and not blocks.all()
    drawn = own & (mended["screen"] != 0)  # the model's pixels that changed colour; the others kept theirs
    assert drawn.any() and (mended["doubt"][drawn] > 0).all() and (mended["doubt"][own & ~drawn] == 0).all()
    assert (mended["doubt"][~blocks.reshape(64, 32, 32)] == 0).all()


def test_debris_leaves_whole_blocks_of_the_next_windows_screen():
    """Teacher forced with `debris`, the screen a model goes on from is the truth, except in whole blocks (8, 16
    or 32 px a side: whole 8x8 blocks in any case) taken from the next window's true screen, in a share drawn
    per screen."""
    model = tiny_model("grid-gru")
    before = torch.zeros(64, 32, 32, dtype=torch.uint8)
    actions = torch.tensor([[-1, -1, 0, 0, 0]]).repeat(64, 1, 1)
    after = (torch.arange(64) % 2 + 1).to(torch.uint8).view(64, 1, 1, 1).expand(64, 1, 32, 32)  # 1, 2, 1, 2...
    with torch.no_grad():
        torch.manual_seed(0)
        _, patched = model(model.boot(before), actions, after, teacher_forced=True, debris=1.0)
    foreign = patched["screen"] != after[:, 0]
    assert torch.equal(patched["screen"][foreign], after.roll(1, 0)[:, 0][foreign])  # the window before's
    blocks = foreign.view(64, 4, 8, 4, 8)
    assert torch.equal(blocks.all((2, 4)), blocks.any((2, 4)))
    shares = foreign.float().mean((1, 2))
    assert 0.3 < shares.mean() < 0.7 and shares.min() < 0.2 and shares.max() > 0.8  # share ~ U(0, 1)


def test_repair_needs_a_screen_in_the_state():
    model = tiny_model("seed-gru")
    boot, actions = toy_clip()
    with pytest.raises(UserError, match="keeps no screen in its state: repair"):
        model(model.boot(boot), actions.transpose(0, 1), boot.repeat(len(actions), 1, 1)[None], True, repair=0.5)
