from neuralcomputer.software.desktop.calculator import COLS


def calc_state(user) -> dict:
    return user.desktop.state()["apps"]["calculator"]


def shown(user, text: str) -> bool:
    """Whether a line of app text reads exactly `text` on screen (checked against the pixels)."""
    user.away()
    return text in user.visible_text()


def test_typed_multiplication(user):
    user.open("calculator")
    user.type("12345*")
    assert shown(user, "12345 *")  # the pending operand and operator, small above the entry
    user.type("67890=")
    assert shown(user, "838102050")
    assert calc_state(user)["value"] == 838102050


def test_clicked_multiplication(user):
    user.open("calculator")
    for label in "12345*67890=":
        user.click(user.desktop.calculator_button(label))
    assert shown(user, "838102050")
    assert calc_state(user)["value"] == 838102050


def test_immediate_execution_enter_backspace_and_clear(user):
    user.open("calculator")
    user.type("2+3*4")
    user.press("Enter")
    assert calc_state(user)["value"] == 20  # left to right, like a pocket calculator
    user.type("123")
    user.press("Backspace")
    assert shown(user, "12")
    user.type("-20=")
    assert shown(user, "-8")
    user.type("7/2=")
    assert calc_state(user)["value"] == 3
    user.type("0-7/2=")
    assert calc_state(user)["value"] == -3  # truncates toward zero
    user.press("Escape")
    assert calc_state(user)["value"] == 0 and shown(user, "0")


def test_overflow_shows_a_mark_and_keeps_the_exact_value(user):
    user.open("calculator")
    user.type("99999*999999=")
    assert len(str(99999 * 999999)) > COLS
    assert shown(user, "OVERFLOW")
    assert calc_state(user)["value"] == 99999 * 999999
    user.type("*99999999=")
    assert calc_state(user)["value"] == 99999 * 999999 * 99999999


def test_divide_by_zero_shows_an_error_until_a_new_number(user):
    user.open("calculator")
    user.type("5/0=")
    assert shown(user, "DIV BY 0")
    assert calc_state(user)["error"]
    user.type("+")  # ignored while the error shows
    assert shown(user, "DIV BY 0")
    user.type("4+1=")
    assert calc_state(user)["value"] == 5 and calc_state(user)["error"] is None


def test_typed_entry_is_limited_to_the_display(user):
    user.open("calculator")
    user.type("1" * (COLS + 5))
    assert calc_state(user)["value"] == int("1" * COLS)
