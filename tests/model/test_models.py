"""The NeuralComputer contract, for every architecture: shapes, dtypes, batching, defaults."""

import pytest
import torch
from toy_world import PALETTE, POINTER_COLOR, ToyWorld

from neuralcomputer.actions import Action, encode_actions
from neuralcomputer.model import ARCHS, NeuralComputer

TINY = {  # small enough that every test here runs in milliseconds
    "copy-last-frame": {},
    "seed-gru": {"latent": 32, "channels": 4, "action_dim": 8},
    "grid-gru": {"channels": 8, "screen_channels": 8, "decoder_channels": 16, "sprite_size": 8},
}


def make(arch: str, size: int = 32) -> NeuralComputer:
    torch.manual_seed(0)
    config = ARCHS[arch].config_class(
        software="toy", width=size, height=size, palette=PALETTE.tolist(), pointer_color=POINTER_COLOR, **TINY[arch]
    )
    return ARCHS[arch](config)


def toy_clip(steps: int = 6):
    """A boot screen (1, H, W) and actions (T, 1, 4) of the toy world."""
    world = ToyWorld()
    boot = torch.from_numpy(world.reset()).clone()[None]
    actions = [Action(mouse=(3 + 2 * t, 20), key="a" if t == 2 else None) for t in range(steps)]
    return boot, torch.from_numpy(encode_actions(actions).astype("int64"))[:, None]


@pytest.mark.parametrize("arch", ARCHS)
def test_boot_and_step_contract(arch):
    model = make(arch)
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
    model = make(arch)
    boot, actions = toy_clip()
    other = torch.randint(0, len(PALETTE), boot.shape, dtype=torch.uint8)
    with torch.inference_mode():
        alone, pair = model.boot(boot), model.boot(torch.cat([boot, other]))
        for a in actions:
            alone, alone_out = model.step(alone, a)
            pair, pair_out = model.step(pair, torch.cat([a, a]))
            torch.testing.assert_close(pair_out[:1], alone_out, atol=0, rtol=0)


def test_copy_last_frame_copies():
    model = make("copy-last-frame")
    boot, actions = toy_clip()
    state = model.boot(boot)
    for a in actions:
        state, out = model.step(state, a)
        assert torch.equal(out, boot)
    assert not list(model.parameters())


def test_grid_gru_starts_as_a_copy():
    """Gates initialised to 'keep' and a transparent pointer: an untrained model repeats the boot screen."""
    model = make("grid-gru")
    boot, actions = toy_clip()
    with torch.inference_mode():
        state = model.boot(boot)
        for a in actions:
            state, out = model.step(state, a)
            assert torch.equal(out, boot)


def test_grid_gru_pointer_register_follows_the_mouse():
    model = make("grid-gru")
    boot, actions = toy_clip()
    state = model.boot(boot)
    assert state["pointer"].tolist() == [[16, 16]]  # read off the boot screen
    with torch.inference_mode():
        state, _ = model.step(state, actions[0])
        assert state["pointer"].tolist() == [[3, 20]]
        state, _ = model.step(state, torch.tensor([[-1, -1, 1, 0]]))  # no move: stays, button held
        assert state["pointer"].tolist() == [[3, 20]] and state["held"].tolist() == [1]


@pytest.mark.parametrize("arch", ["seed-gru", "grid-gru"])
def test_training_rollout_gives_gradients(arch):
    model = make(arch)
    boot, actions = toy_clip()
    frames = boot.repeat(len(actions), 1, 1)[None]
    loss, state = model(model.boot(boot), actions.transpose(0, 1), frames)
    loss.backward()
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert all(p.grad is not None for p in model.parameters())
