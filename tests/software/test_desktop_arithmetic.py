import pytest

from neuralcomputer.software.desktop.arithmetic import MAX_DIGITS, ExpressionError, apply, evaluate


def test_precedence_parentheses_and_signs():
    assert evaluate("(2+3)*4") == 20
    assert evaluate("2+3*4") == 14
    assert evaluate(" -(1 - 10) * --2 ") == 18
    assert evaluate("12345*67890") == 838102050
    assert evaluate("99999999999999999999*99999999999999999999") == (10**20 - 1) ** 2


def test_division_truncates_toward_zero():
    assert [evaluate(e) for e in ("7/2", "-7/2", "7/-2", "-7/-2")] == [3, -3, -3, 3]
    assert apply(-1, "/", 3) == 0


def test_errors():
    for bad in ("", "2+", "(1", "1)", "2**3", "abc", "1 2", "²"):
        with pytest.raises(ExpressionError):
            evaluate(bad)
    with pytest.raises(ZeroDivisionError):
        evaluate("1/(2-2)")
    with pytest.raises(ExpressionError):
        evaluate("(" * 200 + "1" + ")" * 200)
    with pytest.raises(OverflowError):
        apply(10 ** (MAX_DIGITS - 1), "*", 10)
