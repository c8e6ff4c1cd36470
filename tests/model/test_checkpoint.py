"""Saving and loading: identical outputs after a round trip, refusals of what does not fit."""

import json

import pytest
import torch
from toy_world import tiny_model, toy_clip

from neuralcomputer.errors import UserError
from neuralcomputer.model import ARCHS, list_models, load_model, registry
from neuralcomputer.model.grid_gru import GridGRU
from neuralcomputer.model.seed_gru import SeedGRU


def rollout(model, boot, actions):
    with torch.inference_mode():
        state, screens = model.boot(boot), []
        for a in actions:
            state, out = model.step(state, a)
            screens.append(out)
    return torch.stack(screens), state


@pytest.mark.parametrize("arch", ARCHS)
def test_round_trip_gives_identical_outputs(arch, tmp_path):
    model = tiny_model(arch)
    with torch.no_grad():  # move every weight off its initial value
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    model.save_pretrained(tmp_path / "ckpt")
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == ["config.json", "model.safetensors"]
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt"]  # no scratch left behind
    loaded = load_model(tmp_path / "ckpt")
    assert type(loaded) is type(model) and loaded.config == model.config
    boot, actions = toy_clip()
    (a, state_a), (b, state_b) = rollout(model, boot, actions), rollout(loaded, boot, actions)
    assert torch.equal(a, b)
    assert all(torch.equal(state_a[k], state_b[k]) for k in state_a)


def test_save_replaces_an_existing_checkpoint(tmp_path):
    tiny_model("grid-gru").save_pretrained(tmp_path / "ckpt")
    tiny_model("seed-gru").save_pretrained(tmp_path / "ckpt")
    assert isinstance(load_model(tmp_path / "ckpt"), SeedGRU)
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt"]


def test_refuses_another_architecture(tmp_path):
    tiny_model("seed-gru").save_pretrained(tmp_path / "ckpt")
    with pytest.raises(UserError, match="seed-gru checkpoint, expected grid-gru"):
        GridGRU.from_pretrained(tmp_path / "ckpt")


def test_refuses_another_screen_size(tmp_path):
    tiny_model("grid-gru", size=32).save_pretrained(tmp_path / "ckpt")
    with pytest.raises(UserError, match="32x32 model cannot run a 64x64 screen"):
        load_model(tmp_path / "ckpt", width=64, height=64)
    assert load_model(tmp_path / "ckpt", width=32, height=32).config.width == 32


def test_refuses_weights_of_another_size(tmp_path):
    """A config.json edited to say 64x64 next to 32x32 weights is caught, not silently run."""
    tiny_model("seed-gru", size=32).save_pretrained(tmp_path / "ckpt")
    config = json.loads((tmp_path / "ckpt" / "config.json").read_text())
    (tmp_path / "ckpt" / "config.json").write_text(json.dumps({**config, "width": 64, "height": 64}))
    with pytest.raises(UserError, match="has shape"):
        load_model(tmp_path / "ckpt")


def test_refuses_another_action_schema(tmp_path):
    tiny_model("grid-gru").save_pretrained(tmp_path / "ckpt")
    config = json.loads((tmp_path / "ckpt" / "config.json").read_text())
    (tmp_path / "ckpt" / "config.json").write_text(json.dumps({**config, "action_schema": 99}))
    with pytest.raises(UserError, match="action schema version 99"):
        load_model(tmp_path / "ckpt")


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: (d / "config.json").write_text("{"), "not valid JSON"),
        (lambda d: (d / "model.safetensors").write_bytes(b"\x00" * 10), "not a readable safetensors"),
        (lambda d: (d / "model.safetensors").unlink(), "missing"),
        (lambda d: (d / "config.json").write_text('{"arch": "gpt-9"}'), "unknown architecture 'gpt-9'"),
    ],
)
def test_refuses_damaged_checkpoints_in_one_line(tmp_path, damage, message):
    tiny_model("grid-gru").save_pretrained(tmp_path / "ckpt")
    damage(tmp_path / "ckpt")
    with pytest.raises(UserError, match=message) as error:
        load_model(tmp_path / "ckpt")
    assert "\n" not in str(error.value)


def test_unknown_names_list_the_shipped_models(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "PRETRAINED_DIR", tmp_path)
    tiny_model("grid-gru").save_pretrained(tmp_path / "toy-grid-gru")
    with pytest.raises(UserError, match=r"shipped: toy-grid-gru\)"):
        load_model("no-such-model")
    assert isinstance(load_model("toy-grid-gru"), GridGRU)
    [row] = list_models()
    assert row["name"] == "toy-grid-gru" and row["arch"] == "grid-gru" and row["software"] == "toy"
    assert row["size"] == "32x32" and row["params"] == sum(p.numel() for p in tiny_model("grid-gru").parameters())
    assert row["file_size"] == (tmp_path / "toy-grid-gru" / "model.safetensors").stat().st_size


@pytest.mark.parametrize("name", [row["name"] for row in list_models()])
def test_every_shipped_model_loads_small_and_steps(name):
    from neuralcomputer.software import SOFTWARE_NAMES

    model = load_model(name)
    row = next(r for r in list_models() if r["name"] == name)
    assert model.config.software in SOFTWARE_NAMES and row["file_size"] <= 50e6
    c = model.config
    with torch.inference_mode():
        state = model.boot(torch.zeros(1, c.height, c.width, dtype=torch.uint8))
        state, screen = model.step(state, torch.tensor([[-1, -1, 0, 0, 0]]))
    assert screen.shape == (1, c.height, c.width) and int(screen.max()) < len(c.palette)
