"""The play server over real WebSockets (Starlette's TestClient): sessions, bad input, floods, the cap, idling."""

from __future__ import annotations

import base64
import gc
import io
import json
import time

import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from neuralcomputer.actions import Action, read_action_log
from neuralcomputer.runtime.frame_image import screen_from_png
from neuralcomputer.runtime.protocol import BUSY_CLOSE_CODE, MAX_QUEUED
from neuralcomputer.runtime.server import ServerSettings, create_app
from neuralcomputer.software.desktop import PALETTE, Desktop


class Player:
    """One client: sends JSON, collects what comes back (frames as (info, png), errors, status, record)."""

    def __init__(self, websocket):
        self.ws = websocket
        self.status = self.receive()
        assert self.status["type"] == "status"
        self.info, self.png = self.receive_frame()

    def send(self, message: dict | str) -> None:
        self.ws.send_text(message if isinstance(message, str) else json.dumps(message))

    def receive(self) -> dict:
        return self.ws.receive_json()

    def receive_frame(self) -> tuple[dict, bytes]:
        info = self.receive()
        assert info["type"] == "frame", info
        return info, self.ws.receive_bytes()

    def step(self, action: dict) -> tuple[dict, bytes]:
        self.send(action)
        return self.receive_frame()

    def screen(self, png: bytes) -> np.ndarray:
        return screen_from_png(png, PALETTE, 128, 128)


def wait_for_sessions(app, count: int) -> None:
    """Wait until the server has `count` live sessions (a closed one is freed as its handler ends)."""
    deadline = time.monotonic() + 5
    while app.state.server.live_sessions != count:
        assert time.monotonic() < deadline, f"{app.state.server.live_sessions} live sessions, expected {count}"
        time.sleep(0.01)


@pytest.fixture
def client(model_dir, other_model_dir):
    settings = ServerSettings(str(model_dir), choices=[str(other_model_dir)], max_sessions=3, idle_timeout_s=30)
    # Finalisers of objects left by earlier tests (zarr's async stores among them) must not run
    # inside the TestClient's event-loop thread: there they cancel the app's task mid-test.
    gc.collect()
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_session_boots_steps_and_reboots(client, model_dir):
    with client.websocket_connect("/ws") as ws:
        player = Player(ws)
        assert player.status["model"] == str(model_dir) and player.status["sessions"] == 1
        assert player.info == {"type": "frame", "step": 0, "after": "reboot"}
        boot = player.screen(player.png)
        np.testing.assert_array_equal(boot, Desktop().reset(0))
        info, _ = player.step({"mouse": [40, 50]})
        assert info == {"type": "frame", "step": 1, "after": "action"}
        player.step({"key": "a"})
        player.send({"type": "reboot"})
        assert player.receive()["type"] == "status"
        info, png = player.receive_frame()
        assert info["step"] == 0
        np.testing.assert_array_equal(player.screen(png), boot)


def test_bad_input_is_answered_and_the_other_session_goes_on(client):
    with client.websocket_connect("/ws") as bad_ws, client.websocket_connect("/ws") as good_ws:
        bad, good = Player(bad_ws), Player(good_ws)
        good.step({"key": "g"})
        for message, dropped in [
            ("{not json", 1),
            ('{"mouse": [500, 3]}', 1),
            ('{"mouse": "here"}', 1),
            ('{"key": "Hyper"}', 1),
            ('{"key": {"a": 1}}', 1),
            ('{"type": "warp"}', 0),
            ('{"type": "model", "name": "/etc"}', 0),
            ('{"type": "reboot", "png": "%s"}' % base64.b64encode(b"\x89PNG not really").decode(), 0),
            ("x" * 3_000_000, 1),
        ]:
            bad.send(message)
            error = bad.receive()
            assert error["type"] == "error" and error["dropped"] == dropped and not error["fatal"], (message, error)
        bad.ws.send_bytes(b"\x00\x01")
        assert bad.receive()["type"] == "error"
        assert bad.step({"key": "b"})[0]["step"] == 1  # still serving the sender of all that
        assert good.step({"key": "h"})[0]["step"] == 2  # and the other session never noticed


def test_a_flood_is_dropped_with_a_count_and_others_keep_their_speed(client):
    with client.websocket_connect("/ws") as flood_ws, client.websocket_connect("/ws") as calm_ws:
        flood, calm = Player(flood_ws), Player(calm_ws)
        sent = 1000  # read far faster than stepped, so most must be dropped
        for i in range(sent):
            flood.send({"mouse": [i % 128, 7]})
        for _ in range(5):
            calm.step({"key": "c"})
        answered = dropped = 0
        while answered + dropped < sent:
            message = flood.receive()
            if message["type"] == "frame":
                flood.ws.receive_bytes()
                answered += 1
            else:
                assert message["type"] == "error" and "too many messages" in message["message"], message
                dropped += message["dropped"]
        assert dropped > 0 and answered >= MAX_QUEUED and answered + dropped == sent
        assert calm.step({})[0]["step"] == 6


def test_a_client_that_leaves_mid_flood_disturbs_no_one(client):
    with client.websocket_connect("/ws") as calm_ws:
        calm = Player(calm_ws)
        with client.websocket_connect("/ws") as leaver_ws:
            Player(leaver_ws)
            for _ in range(50):
                leaver_ws.send_text('{"key": "x"}')
        for _ in range(3):
            calm.step({"key": "c"})
        assert calm.step({})[0]["step"] == 4
        wait_for_sessions(client.app, 1)


def test_above_the_cap_a_connection_is_told_busy(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b, client.websocket_connect("/ws") as c:
        players = [Player(ws) for ws in (a, b, c)]
        with client.websocket_connect("/ws") as extra:
            error = extra.receive_json()
            assert error["type"] == "error" and error["fatal"] and error["message"].startswith("busy")
            with pytest.raises(WebSocketDisconnect) as closed:
                extra.receive_json()
            assert closed.value.code == BUSY_CLOSE_CODE
        assert players[0].step({"key": "a"})[0]["step"] == 1


def test_an_idle_session_is_closed_and_freed(model_dir):
    settings = ServerSettings(str(model_dir), choices=[], max_sessions=1, idle_timeout_s=0.3)
    app = create_app(settings)
    with TestClient(app) as client:
        with client.websocket_connect("/ws") as ws:
            player = Player(ws)
            time.sleep(0.5)
            error = player.receive()
            assert error["fatal"] and error["message"].startswith("idle")
            with pytest.raises(WebSocketDisconnect):
                player.receive()
        wait_for_sessions(app, 0)
        with client.websocket_connect("/ws") as ws:  # the one place is free again
            assert Player(ws).step({"key": "a"})[0]["step"] == 1


def test_truth_model_switch_screenshot_boot_and_record(client, other_model_dir, tmp_path):
    desktop = Desktop()
    desktop.reset(0)
    icon = list(desktop.icon_center("files"))
    actions = [{"mouse": icon, "button": "down"}, {"button": "up"}] * 2 + [{"key": "Down"}]
    with client.websocket_connect("/ws") as ws:
        player = Player(ws)
        player.send({"type": "truth", "on": True})
        assert player.receive()["truth"] is True
        info, png = player.receive_frame()
        assert info["after"] == "truth" and Image.open(io.BytesIO(png)).size == (3 * 128 + 4, 128)
        for action in actions:
            info, png = player.step(action)
        real = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))[:, 130:258]
        expected = PALETTE[[desktop.step(Action.from_json(a, 128, 128)) for a in actions][-1]]
        np.testing.assert_array_equal(real, expected)

        player.send({"type": "record"})
        record = player.receive()
        assert record["type"] == "record" and record["steps"] == len(actions) and "--seed 0" in record["replay"]
        log = client.get(record["actions"])
        assert log.status_code == 200 and "attachment" in log.headers["content-disposition"]
        downloaded_as = log.headers["content-disposition"].split("filename=")[1].strip('"')
        assert f"--actions {downloaded_as} " in record["replay"]
        path = tmp_path / "session.jsonl"
        path.write_bytes(log.content)
        assert [a.to_json() for a in read_action_log(path, 128, 128)] == [Action.from_json(a, 128, 128).to_json() for a in actions]
        gif = Image.open(io.BytesIO(client.get(record["video"]).content))
        assert gif.n_frames == len(actions) + 1
        assert client.get(record["actions"].replace(record["actions"].split("/")[2], "guess")).status_code == 404

        screenshot = io.BytesIO()
        Image.fromarray(PALETTE[desktop.reset(5)]).save(screenshot, format="PNG")
        player.send({"type": "reboot", "png": base64.b64encode(screenshot.getvalue()).decode()})
        status = player.receive()
        assert status["booted_from"] == "screenshot" and status["truth"] is False
        info, png = player.receive_frame()
        np.testing.assert_array_equal(player.screen(png), desktop.reset(5))
        player.send({"type": "truth", "on": True})
        assert "booted from a screenshot" in player.receive()["message"]

        player.send({"type": "model", "name": str(other_model_dir)})
        assert player.receive()["model"] == str(other_model_dir)
        assert player.receive_frame()[0] == {"type": "frame", "step": 0, "after": "model"}

