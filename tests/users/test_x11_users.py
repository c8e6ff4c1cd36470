"""The scripted X users: the xcalc user clicks real buttons and computes; the dispatch picks by program."""

import itertools
import shutil

import numpy as np
import pytest

pytest.importorskip("Xlib", reason="x11 needs python-xlib (pip install python-xlib)")
if shutil.which("Xvfb") is None or shutil.which("xcalc") is None:
    pytest.skip("Xvfb or xcalc is not installed: run scripts/install-system-deps.sh", allow_module_level=True)

from neuralcomputer.software.x11 import X11App, button_centers  # noqa: E402  (after the skips)
from neuralcomputer.users import make_user  # noqa: E402
from neuralcomputer.users.x11_user import CalculatorUser, Explorer, ShellUser, x11_user  # noqa: E402


def test_each_program_gets_its_user():
    rng = np.random.default_rng(0)
    users = [x11_user(X11App(app=app), rng) for app in ("xterm", "xcalc", "xeyes -fg red")]
    assert [type(u) for u in users] == [ShellUser, CalculatorUser, Explorer]


def test_calculator_user_clicks_buttons_and_the_display_changes():
    with X11App(app="xcalc") as xcalc:
        first = xcalc.reset(3).copy()
        buttons = set(button_centers(xcalc.windows()).values())
        display = max((w for w in xcalc.windows() if w.depth == 3), key=lambda w: w.w)
        region = np.s_[display.y : display.y + display.h, display.x : display.x + display.w]
        presses, shown = 0, []
        for action in itertools.islice(make_user(xcalc, 3), 80):
            if action.button == "down":
                presses += xcalc.pointer in buttons
            screen = xcalc.step(action)
            shown.append(screen[region].tobytes())
        assert presses >= 3  # clicks land on buttons' centres
        assert len(set(shown) - {first[region].tobytes()}) >= 3  # the display showed several numbers
