"""Real X programs on a private Xvfb: input reaches them, screens settle, palettes are exact, recording works."""

import functools
import shutil

import numpy as np
import pytest

from neuralcomputer.actions import Action
from neuralcomputer.recordings import record_episodes
from neuralcomputer.software import make_software

pytest.importorskip("Xlib", reason="x11 needs python-xlib (pip install python-xlib)")
for program in ("Xvfb", "xterm", "xcalc", "xeyes"):
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed: run scripts/install-system-deps.sh", allow_module_level=True)

from neuralcomputer.software.x11 import X11App, button_centers  # noqa: E402  (after the skips)
from neuralcomputer.software.x11.programs import XTERM_BORDER, XTERM_CELL  # noqa: E402

CELL_W, CELL_H = XTERM_CELL


def text_cells(screen: np.ndarray, row: int, col: int, count: int) -> np.ndarray:
    """The pixels of `count` character cells of xterm's text grid."""
    y, x = XTERM_BORDER + row * CELL_H, XTERM_BORDER + col * CELL_W
    return screen[y : y + CELL_H, x : x + count * CELL_W]


@pytest.fixture
def xterm():
    app = X11App(app="xterm")
    yield app
    app.close()


def type_line(app: X11App, text: str) -> list[np.ndarray]:
    return [app.step(Action(key=char)).copy() for char in text] + [app.step(Action(key="Enter")).copy()]


def test_typing_echo_hi_prints_hi_and_each_frame_is_settled(xterm):
    before = xterm.reset(0).copy()
    frames = type_line(xterm, "echo hi")
    screens = [before, *frames]
    assert all((a != b).any() for a, b in zip(screens, screens[1:]))  # every key shows at once
    after = frames[-1]
    # Row 0 is "$ echo hi", row 1 the output "hi", drawn with the same glyphs as in the command.
    np.testing.assert_array_equal(text_cells(after, 1, 0, 2), text_cells(after, 0, 7, 2))
    assert (text_cells(after, 1, 0, 2) != text_cells(before, 1, 0, 2)).any()
    np.testing.assert_array_equal(xterm.step(Action()), after)  # settled: nothing was left to draw
    state = xterm.state()
    assert state["unmatched_colours"] == 0 and state["unsettled_steps"] == 0 and state["running"]
    server = xterm._display.server
    xterm.close()
    assert server.poll() is not None  # the X server is gone with the app


def test_ctrl_c_held_abandons_the_line(xterm):
    xterm.reset(0)
    for char in "echo no":
        xterm.step(Action(key=char))
    xterm.step(Action(hold=("Ctrl",), key="c"))
    screen = xterm.step(Action())
    assert xterm.state()["held"] == []
    prompt = text_cells(screen, 0, 0, 2)
    np.testing.assert_array_equal(text_cells(screen, 1, 0, 2), prompt)  # a fresh prompt, no "no" printed


def test_shift_held_or_implied_types_the_same_capitals(xterm):
    xterm.reset(0)
    xterm.step(Action(key="A"))
    implied = xterm.step(Action(key="B")).copy()
    xterm.reset(0)
    xterm.step(Action(hold=("Shift",), key="a"))
    held = xterm.step(Action(hold=("Shift",), key="B"))  # held and implied at once: still one Shift
    np.testing.assert_array_equal(held, implied)


def test_xcalc_clicking_one_plus_two_shows_the_same_as_typing_three():
    with X11App(app="xcalc") as xcalc:
        xcalc.reset(0)
        buttons = button_centers(xcalc.windows())
        assert set("0123456789+-*/=") <= set(buttons)
        display = max((w for w in xcalc.windows() if w.depth == 3), key=lambda w: w.w)
        region = np.s_[display.y : display.y + display.h, display.x : display.x + display.w]
        start = xcalc.step(Action(mouse=buttons["="])).copy()
        for label in "1+2=":
            xcalc.step(Action(mouse=buttons[label], button="down"))
            clicked = xcalc.step(Action(button="up")).copy()
        assert (clicked[region] != start[region]).any()
        xcalc.reset(1)
        xcalc.step(Action(mouse=buttons["="]))
        typed = xcalc.step(Action(key="3"))
        np.testing.assert_array_equal(clicked[region], typed[region])
        assert xcalc.state()["unmatched_colours"] == 0


def test_any_command_fills_the_screen_and_follows_the_pointer():
    with X11App(app="xeyes", width=96, height=96) as eyes:
        eyes.reset(0)
        assert eyes.windows()[0][:4] == (0, 0, 96, 96)
        looks = [eyes.step(Action(mouse=point)).copy() for point in ((5, 5), (90, 90), (5, 90))]
        assert (looks[0] != looks[1]).sum() > 20 and (looks[1] != looks[2]).sum() > 20
        assert len(eyes.palette) > 200  # the generic palette: xeyes was never calibrated


def test_record_episodes_in_parallel_workers_each_with_its_own_display(tmp_path):
    factory = functools.partial(make_software, app="xterm")
    recording, again = (
        record_episodes(
            tmp_path / name, "x11", episodes=episodes, steps=25, seed=4, width=256, height=192, workers=episodes,
            progress=False, software_factory=factory,
        )
        for name, episodes in (("parallel", 2), ("again", 1))
    )
    # Real programs are deterministic here as long as every response settles in time.
    np.testing.assert_array_equal(again.episode(0).frames[:], recording.episode(0).frames[:])
    assert recording.info.pointer_color == len(recording.info.palette) - 1
    for i in range(2):
        frames = recording.episode(i).frames[:]
        assert frames.shape == (26, 192, 256) and frames.max() < len(recording.info.palette)
        assert (frames == recording.info.pointer_color).any(axis=(1, 2)).all()  # the pointer is in every frame
        assert (np.diff(frames.astype(int), axis=0) != 0).any(axis=(1, 2)).mean() > 0.5
