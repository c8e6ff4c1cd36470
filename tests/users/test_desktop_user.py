import itertools

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.software.desktop import APPS, Desktop
from neuralcomputer.users import make_user
from neuralcomputer.users.pointer import pointer_path


def run(seed: int, steps: int):
    desktop = Desktop()
    desktop.reset(seed)
    user = make_user(desktop, seed)
    seen = []
    for action in itertools.islice(user, steps):
        assert isinstance(action, Action)
        if action.mouse is not None:
            assert 0 <= action.mouse[0] < desktop.width and 0 <= action.mouse[1] < desktop.height
        desktop.step(action)
        seen.append((action, desktop.state()))
    return seen


def test_pointer_paths_are_smooth_and_land_exactly():
    rng = np.random.default_rng(0)
    for _ in range(200):
        start = tuple(int(v) for v in rng.integers(0, 128, 2))
        target = tuple(int(v) for v in rng.integers(0, 128, 2))
        path = pointer_path(start, target, rng, 128, 128)
        assert path[-1] == target
        steps = np.diff(np.array([start, *path]), axis=0)
        assert np.abs(steps).max() <= 40  # no teleporting
        assert all(0 <= x < 128 and 0 <= y < 128 for x, y in path)


def test_user_is_deterministic_given_its_seed():
    a = [action for action, _ in run(3, 600)]
    b = [action for action, _ in run(3, 600)]
    c = [action for action, _ in run(4, 600)]
    assert a == b and a != c


def test_users_cover_every_app_and_window_operation():
    """Across a few episodes, scripted people use every app and every window operation."""
    opened, minimised, restored, keys = set(), set(), set(), set()
    for seed in range(3):
        previous = None
        for action, state in run(seed, 1500):
            windows = {w["app"]: w for w in state["windows"]}
            opened |= set(windows)
            if previous is not None:
                for app, w in windows.items():
                    before = previous.get(app)
                    if before and not before["minimized"] and w["minimized"]:
                        minimised.add(app)
                    if before and before["minimized"] and not w["minimized"]:
                        restored.add(app)
            if action.key:
                keys.add(action.key)
            previous = windows
    assert opened == set(APPS)
    assert minimised and restored
    assert {"Enter", "Backspace"} <= keys and any(k.isdigit() for k in keys)
