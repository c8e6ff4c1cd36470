"""The session core: boot, batched stepping that keeps machines apart, truth, recording."""

import numpy as np
import pytest
from lively_model import lively_model

from neuralcomputer.actions import Action, read_action_log
from neuralcomputer.errors import UserError
from neuralcomputer.runtime import Session, step_sessions
from neuralcomputer.software.desktop import Desktop

ACTIONS = [Action(mouse=(20, 30)), Action(button="down"), Action(key="x"), Action(button="up"), Action()]


@pytest.fixture(scope="module")
def model():
    return lively_model()


def test_boot_shows_the_software_first_screen(model):
    session = Session(model, "tiny", seed=3)
    assert session.frame.step == 0 and session.frame.real is None
    np.testing.assert_array_equal(session.frame.screen, Desktop().reset(3))
    frame = session.step(Action(key="a"))
    assert frame.step == 1 and frame.screen.shape == (128, 128) and frame.screen.dtype == np.uint8


def test_a_batch_neighbour_never_changes_a_machine(model):
    """Session A's frames are the same whoever shares its forward pass and whatever they do.

    (Compared between batches of one size: float rounding differs between batch sizes, and
    this lively model turns any rounding into different pixels a few steps later.)
    """
    a1, a2 = Session(model, "tiny", seed=1), Session(model, "tiny", seed=1)
    b, c = Session(model, "tiny", seed=2), Session(model, "tiny", seed=5)
    other = [Action(key="q"), Action(mouse=(100, 5)), Action(), Action(key="Enter"), Action(button="down")]
    for action, b_action in zip(ACTIONS, other):
        with_b = step_sessions([a1, b], [action, b_action])
        with_c = step_sessions([c, a2], [Action(key="z"), action])
        np.testing.assert_array_equal(with_b[0].screen, with_c[1].screen)
    assert not np.array_equal(b.frame.screen, c.frame.screen)
    assert a1.frame.step == b.frame.step == 5


def test_truth_catches_up_with_the_real_software(model):
    session = Session(model, "tiny")
    desktop = Desktop()
    desktop.reset(0)
    icon = desktop.icon_center("notepad")
    clicks = [Action(mouse=icon, button="down"), Action(button="up")] * 2 + [Action(key="h"), Action(key="i")]
    for action in clicks[:3]:
        session.step(action)
    frame = session.set_truth(True)  # switched on mid-session: replays the steps it missed
    for action in clicks[3:]:
        frame = session.step(action)
    for action in clicks:
        real = desktop.step(action)
    np.testing.assert_array_equal(frame.real, real)
    assert desktop.focused() == "notepad"
    assert session.set_truth(False).real is None


def test_truth_is_refused_after_a_screenshot_boot(model):
    session = Session(model, "tiny")
    session.reboot(np.zeros((128, 128), np.uint8))
    with pytest.raises(UserError, match="booted from a screenshot"):
        session.set_truth(True)
    session.reboot()
    assert session.set_truth(True).real is not None


def test_recording_holds_actions_since_boot(model, tmp_path):
    session = Session(model, "tiny", video_frames=3)
    session.step(Action(key="z"))
    session.reboot()
    for action in ACTIONS:
        session.step(action)
    log, video = session.save_recording(tmp_path / "out", "s")
    assert read_action_log(log, 128, 128) == ACTIONS
    assert video.stat().st_size > 0
    assert len(session.recording()[1]) == 3  # only the newest `video_frames` screens are kept


def test_switching_model_reboots(model):
    session = Session(model, "tiny")
    session.step(Action(key="a"))
    other = lively_model(1)
    frame = session.use_model(other, "other")
    assert frame.step == 0 and session.model is other and session.model_name == "other"
    with pytest.raises(ValueError):
        step_sessions([session, Session(model, "tiny")], [Action(), Action()])
