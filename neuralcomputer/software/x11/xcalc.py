"""Where xcalc's buttons are, found from its live window tree.

xcalc (TI-30 mode) is an Athena widget tree: a top-level shell holding a form,
whose children are the display and 55 command buttons, each its own X window,
in a grid of 11 rows by 5 columns. So the buttons are the form's children other
than the display (the widest one), and sorting them by row then column lines
them up with `LABELS`, as xcalc draws them. The grid is read afresh after every
reset, so it follows the screen size; labels are spelled in ASCII ("sqrt" for
the root sign, "pi" for the one drawn with the symbol font).
"""

from __future__ import annotations

from neuralcomputer.software.x11.xvfb import WindowBox

LABELS = (
    ("1/x", "x^2", "sqrt", "CE/C", "AC"),
    ("INV", "sin", "cos", "tan", "DRG"),
    ("e", "EE", "log", "ln", "y^x"),
    ("not", "and", "or", "xor", "trunc"),
    ("pi", "x!", "(", ")", "base"),
    ("shl", "D", "E", "F", "shr"),
    ("mod", "A", "B", "C", "/"),
    ("STO", "7", "8", "9", "*"),
    ("RCL", "4", "5", "6", "-"),
    ("SUM", "1", "2", "3", "+"),
    ("EXC", "0", ".", "+/-", "="),
)
FORM_CHILD_DEPTH = 3  # root's child (1) = shell, its child (2) = form, its children (3) = display and buttons


def button_centers(windows: list[WindowBox]) -> dict[str, tuple[int, int]]:
    """Label -> centre pixel of each xcalc button; empty if the window tree is not xcalc's (not up yet)."""
    children = [w for w in windows if w.depth == FORM_CHILD_DEPTH]
    if len(children) != 1 + sum(len(row) for row in LABELS):
        return {}
    display = max(children, key=lambda w: w.w)
    buttons = sorted((w for w in children if w is not display), key=lambda w: (w.y, w.x))
    columns = len(LABELS[0])
    centers = {}
    for r, row in enumerate(LABELS):
        for label, box in zip(row, sorted(buttons[r * columns : (r + 1) * columns], key=lambda w: w.x)):
            centers[label] = (box.x + box.w // 2, box.y + box.h // 2)
    return centers
