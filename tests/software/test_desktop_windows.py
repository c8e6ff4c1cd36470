import json

import numpy as np
import pytest

from neuralcomputer.errors import UserError
from neuralcomputer.software.base import Software
from neuralcomputer.software.desktop import APPS, PALETTE, POINTER_COLOR, Desktop
from neuralcomputer.software.desktop.icons import POINTER
from neuralcomputer.software.desktop.palette import LIGHT


def pointer_mask(desktop: Desktop) -> np.ndarray:
    mask = np.zeros((desktop.height, desktop.width), dtype=bool)
    x, y = desktop.pointer
    mask[y : y + POINTER.shape[0], x : x + POINTER.shape[1]] = True
    return mask


def test_is_a_software_with_a_small_palette():
    desktop = Desktop()
    assert all(hasattr(desktop, name) for name in Software.__annotations__) and desktop.name == "desktop"
    assert desktop.palette.dtype == np.uint8 and desktop.palette.shape[1] == 3 and len(desktop.palette) <= 16
    assert len({tuple(c) for c in PALETTE}) == len(PALETTE)
    frame = desktop.reset(0)
    assert frame.shape == (128, 128) and frame.dtype == np.uint8 and frame.max() < len(PALETTE)


def test_same_seed_and_actions_give_identical_frames_and_states(random_actions):
    desktop = Desktop()
    actions = random_actions(desktop, 600, seed=1)
    runs = []
    for _ in range(2):
        frames = [desktop.reset(3)] + [desktop.step(a) for a in actions]
        runs.append((np.stack(frames), json.dumps(desktop.state())))
    assert (runs[0][0] == runs[1][0]).all() and runs[0][1] == runs[1][1]
    assert len(json.loads(runs[0][1])["windows"]) > 0  # the stream did open windows


def test_seeds_only_move_the_pointer():
    desktop = Desktop()
    first = desktop.reset(0)
    mask, state = pointer_mask(desktop), desktop.state()
    second = desktop.reset(1)
    mask |= pointer_mask(desktop)
    assert (first != second).any() and (first[~mask] == second[~mask]).all()
    assert {**state, "pointer": None} == {**desktop.state(), "pointer": None}


def test_pointer_color_marks_exactly_the_pointer(random_actions):
    desktop = Desktop()
    for action in random_actions(desktop, 300, seed=2):
        frame = desktop.step(action)
        fill = frame == POINTER_COLOR
        x, y = desktop.pointer
        assert fill.any() or x > desktop.width - 3 or y > desktop.height - 4
        assert not (fill & ~pointer_mask(desktop)).any()
    assert frame[y, x] != POINTER_COLOR  # the tip is the outline at the pointer position


def test_drag_moves_a_window_and_keeps_its_title_bar_on_screen(user):
    desktop = user.desktop
    user.open("files")
    x, y, w, h = desktop.window_rect("files")
    start = desktop.title_bar_point("files")
    user.drag(start, (start[0] - 10, start[1] + 5))
    assert desktop.window_rect("files") == (x - 10, y + 5, w, h)
    for target in [(0, 0), (desktop.width - 1, desktop.height - 1), (0, desktop.height - 1)]:
        user.drag(desktop.title_bar_point("files"), target)
        point = desktop.title_bar_point("files")
        assert point is not None and desktop.top_window_at(*point) == "files"
    user.step(mouse=(60, 60))  # after button up, moving does not drag
    assert desktop.state()["dragging"] is None


def test_click_focuses_and_raises_and_keys_go_to_the_focused_window(user):
    desktop = user.desktop
    user.open("notepad")
    user.open("terminal")
    assert desktop.state()["z_order"] == ["notepad", "terminal"]
    x, y, w, h = desktop.window_rect("notepad")
    points = ((px, py) for py in range(y, y + h) for px in range(x, x + w))
    visible = next(p for p in points if desktop.top_window_at(*p) == "notepad")
    user.click(visible)
    assert desktop.focused() == "notepad" and desktop.state()["z_order"][-1] == "notepad"
    user.type("hi")
    state = desktop.state()["apps"]
    assert state["notepad"]["text"] == "hi" and state["terminal"]["input"] == ""
    user.click((5, desktop.height - 20))  # the desktop: nothing is focused
    assert desktop.focused() is None


def test_minimise_then_restore_gives_the_same_pixels(user):
    desktop = user.desktop
    user.open("notepad")
    user.type("remember\nthis")
    user.away()
    x, y, w, h = desktop.window_rect("notepad")
    before = user.frame[y : y + h, x : x + w].copy()
    user.click(desktop.minimize_button("notepad"))
    assert desktop.is_minimized("notepad") and desktop.focused() is None
    assert desktop.top_window_at(x + w // 2, y + h // 2) is None
    user.open("calculator")
    user.type("12*34=" * 20)
    user.open("terminal")
    for i in range(10):
        user.type(f"calc {i}*{i}")
        user.press("Enter")
    user.open("files")
    user.double_click(desktop.files_entry("docs/"))
    user.drag(desktop.title_bar_point("files"), (70, 80))
    assert desktop.state()["step"] > 200
    user.click(desktop.taskbar_entry("notepad"))
    user.away()
    assert desktop.focused() == "notepad" and not desktop.is_minimized("notepad")
    assert (user.frame[y : y + h, x : x + w] == before).all()


def test_taskbar_entries_and_close(user):
    desktop = user.desktop
    for app in APPS:
        user.open(app)
    entries = [desktop.taskbar_entry(app) for app in APPS]
    assert len(set(entries)) == 4 and all(y > desktop.height - 12 for _, y in entries)
    user.away()
    pressed = [user.frame[y, x] == LIGHT for x, y in entries]
    assert pressed == [False, False, False, True]  # the focused one, terminal, is drawn pressed
    user.click(desktop.close_button("terminal"))
    assert not desktop.is_open("terminal") and desktop.taskbar_entry("terminal") is None
    assert desktop.focused() == "calculator"
    user.click(desktop.taskbar_entry("files"))
    assert desktop.focused() == "files" and desktop.state()["z_order"][-1] == "files"
    user.click(desktop.minimize_button("files"))
    user.open("files")  # double-clicking the icon of a minimised app restores it
    assert not desktop.is_minimized("files") and len(desktop.state()["windows"]) == 3


def test_text_regions_match_the_pixels_on_a_busy_desktop(make_user, random_actions):
    user = make_user()
    desktop = user.desktop
    for action in random_actions(desktop, 1500, seed=4):
        user.frame = desktop.step(action)
    for app in APPS:
        user.open(app)
    user.type("ls")
    user.press("Enter")
    assert len(user.visible_text()) > 5


@pytest.mark.parametrize("size", [(256, 192), (96, 96), (200, 300)])
def test_other_screen_sizes(size, make_user, random_actions):
    user = make_user(*size)
    desktop = user.desktop
    assert user.frame.shape == (size[1], size[0])
    for app in APPS:
        user.open(app)
        x, y, w, h = desktop.window_rect(app)
        assert 0 <= x and x + w <= size[0] and 0 <= y and y + h <= size[1]
        user.click(desktop.minimize_button(app))  # on small screens windows cover the next icons
    user.click(desktop.taskbar_entry("terminal"))
    user.type("calc 6*7")
    user.press("Enter")
    assert desktop.state()["apps"]["terminal"]["lines"][-1] == "42"
    user.click(desktop.taskbar_entry("files"))
    user.double_click(desktop.files_entry("readme.txt"))
    assert {w["app"]: w["title"] for w in desktop.state()["windows"]}["notepad"] == "readme.txt"
    for action in random_actions(desktop, 300, seed=5):
        desktop.step(action)


def test_too_small_a_screen_is_a_user_error():
    with pytest.raises(UserError):
        Desktop(95, 128)


def test_state_describes_windows_and_geometry(user):
    desktop = user.desktop
    user.open("calculator")
    user.open("files")
    user.click(desktop.minimize_button("files"))
    state = desktop.state()
    assert [w["app"] for w in state["windows"]] == ["calculator", "files"]
    for w in state["windows"]:
        assert tuple(w["rect"]) == desktop.window_rect(w["app"]) and tuple(w["client"]) == desktop.client_rect(w["app"])
    assert [w["minimized"] for w in state["windows"]] == [False, True]
    assert state["z_order"] == ["calculator", "files"] and state["focus"] == "calculator"
    assert state["pointer"] == list(desktop.pointer) and state["step"] == 10  # two double-clicks and a click
    assert set(state["apps"]) == {"files", "calculator"}
    assert desktop.title_bar_point("files") is None and desktop.files_entries() == []
