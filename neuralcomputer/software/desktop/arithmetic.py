"""Exact integer arithmetic for the Calculator and the Terminal's `calc` command.

Python ints give arbitrary precision; division truncates toward zero, like a
pocket calculator (not Python's floor division). Expressions are read by a tiny
recursive-descent parser, never `eval`.
"""

from __future__ import annotations

import re

MAX_DIGITS = 1000  # beyond this a result is refused: keeps states JSON-able and steps fast
MAX_NESTING = 50  # parentheses and unary signs, so deep input cannot exhaust the Python stack
OPERATORS = "+-*/"
_LIMIT = 10**MAX_DIGITS


class ExpressionError(ValueError):
    """Text that is not an expression of integers, + - * / and parentheses."""


def apply(a: int, op: str, b: int) -> int:
    """`a op b` for op in "+-*/"; raises ZeroDivisionError, and OverflowError past MAX_DIGITS."""
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        if b == 0:
            raise ZeroDivisionError("division by zero")
        quotient = abs(a) // abs(b)
        result = quotient if (a < 0) == (b < 0) else -quotient
    else:
        raise ValueError(f"unknown operator {op!r}")
    if abs(result) >= _LIMIT:
        raise OverflowError("number too big")
    return result


def evaluate(text: str) -> int:
    """The value of an integer expression such as "(2+3)*4".

    Raises ExpressionError, ZeroDivisionError or OverflowError (past MAX_DIGITS).
    """
    tokens = re.findall(r"[0-9]+|\S", text)
    parser = _Parser(tokens)
    value = parser.expression(0)
    if parser.pos != len(tokens):
        raise ExpressionError(f"unexpected {tokens[parser.pos]!r}")
    return value


class _Parser:
    """expression := term (("+" | "-") term)*;  term := unary (("*" | "/") unary)*;
    unary := ("+" | "-") unary | NUMBER | "(" expression ")"."""

    def __init__(self, tokens: list[str]):
        self.tokens, self.pos = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ExpressionError("unexpected end")
        self.pos += 1
        return token

    def expression(self, depth: int) -> int:
        value = self.term(depth)
        while self.peek() in ("+", "-"):
            value = apply(value, self.take(), self.term(depth))
        return value

    def term(self, depth: int) -> int:
        value = self.unary(depth)
        while self.peek() in ("*", "/"):
            value = apply(value, self.take(), self.unary(depth))
        return value

    def unary(self, depth: int) -> int:
        if depth > MAX_NESTING:
            raise ExpressionError("nested too deeply")
        token = self.take()
        if token in ("+", "-"):
            return apply(0, token, self.unary(depth + 1))
        if token == "(":
            value = self.expression(depth + 1)
            if self.take() != ")":
                raise ExpressionError("missing )")
            return value
        if token[0] in "0123456789":
            if len(token) > MAX_DIGITS:
                raise OverflowError("number too big")
            return int(token)
        raise ExpressionError(f"unexpected {token!r}")
