from neuralcomputer.software.desktop.app import wrap


def notepad(user) -> dict:
    return user.desktop.state()["apps"]["notepad"]


def test_typing_enter_backspace_and_arrows(user):
    user.open("notepad")
    user.type("helo")
    user.press("Left")
    user.type("l")
    user.press("Right", "Enter")
    user.type("worx")
    user.press("Backspace")
    user.type("ld")
    assert notepad(user)["text"] == "hello\nworld"
    user.press("Up")
    assert notepad(user)["caret"] == 5  # end of "hello": same column, clamped
    user.press("Left", "Left", "Down")
    assert notepad(user)["caret"] == 6 + 3
    user.type("!")
    assert notepad(user)["text"] == "hello\nwor!ld"
    user.away()
    assert user.visible_text() == ["hello", "wor!ld"]


def test_caret_is_drawn_and_moves(user):
    user.open("notepad")
    user.type("abc")
    before = user.frame.copy()
    user.press("Left")
    changed = (before != user.frame).nonzero()
    assert len(set(changed[1])) == 2  # the caret bar left one column and appeared in another
    user.press("Right")
    assert (user.frame == before).all()  # non-blinking: same state, same pixels


def test_long_lines_wrap_and_the_view_follows_the_caret(user):
    user.open("notepad")
    user.type("a" * 50)
    user.away()
    shown = user.visible_text()
    cols = len(shown[0])
    assert shown == ["a" * cols] * (50 // cols) + ["a" * (50 % cols)]
    for i in range(20):
        user.press("Enter")
        user.type(f"line {i}")
    user.away()
    assert user.visible_text()[-1] == "line 19"
    assert notepad(user)["top_row"] > 0


def test_text_survives_minimise_and_restore_but_not_close(user):
    user.open("notepad")
    user.type("keep me")
    user.click(user.desktop.minimize_button("notepad"))
    user.type("lost keys")  # nothing is focused
    user.click(user.desktop.taskbar_entry("notepad"))
    assert notepad(user)["text"] == "keep me"
    user.click(user.desktop.close_button("notepad"))
    user.open("notepad")
    assert notepad(user)["text"] == ""


def test_wrap_breaks_after_spaces_and_cuts_long_words():
    assert wrap("the quick brown fox", 10) == ["the quick ", "brown fox"]
    assert wrap("abcdefghijkl", 5) == ["abcde", "fghij", "kl"]
    assert wrap("", 5) == [""]
    assert wrap("abcde", 5) == ["abcde"] and wrap("abcde", 5, caret=True) == ["abcde", ""]
    for line in ("a b  c   dddddddddddd e", "x" * 23, " lead"):
        assert "".join(wrap(line, 4)) == line and all(len(r) <= 4 for r in wrap(line, 4))


def test_up_and_down_follow_word_wrapped_rows(user):
    user.open("notepad")
    user.type("aaaa " + "b" * 14)  # 15 columns at 128x128: "aaaa " then the long word
    assert notepad(user)["caret"] == 19
    user.press("Up")
    assert notepad(user)["caret"] == 4  # clamped to before the wrapped space
    user.press("Down")
    assert notepad(user)["caret"] == 5 + 4
    user.away()
    assert user.visible_text() == ["aaaa ", "b" * 14]
