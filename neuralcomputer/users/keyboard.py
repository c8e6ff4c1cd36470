"""Human-like typing: pauses between words, now and then a typo fixed with Backspace; sums to type."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from neuralcomputer.actions import Action


def pause(rng: np.random.Generator, low: int, high: int) -> Iterator[Action]:
    """Between `low` and `high` steps with no input (reading, thinking)."""
    for _ in range(int(rng.integers(low, high + 1))):
        yield Action()


def typing(text: str, rng: np.random.Generator, typo_rate: float = 0.03) -> Iterator[Action]:
    """One key press per character of `text`, as a person types it."""
    for char in text:
        if char.isalpha() and rng.random() < typo_rate:
            yield Action(key=chr(rng.integers(97, 123)))
            yield Action(key="Backspace")
        yield Action(key=char)
        if char == " " and rng.random() < 0.3:
            yield from pause(rng, 1, 4)


def arithmetic(rng: np.random.Generator, max_digits: int, max_operations: int) -> str:
    """A sum a person might type into a calculator: `1..max_operations` operations on numbers of
    one to `max_digits` digits, then '='."""
    terms = [str(rng.integers(0, 10 ** rng.integers(1, max_digits + 1))) for _ in range(rng.integers(2, max_operations + 2))]
    ops = rng.choice(list("+-*/"), size=len(terms) - 1)
    return terms[0] + "".join(op + term for op, term in zip(ops, terms[1:])) + "="
