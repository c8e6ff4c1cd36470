"""Pixel art: the four app icons, the mouse pointer and the title-bar button glyphs.

Letters name palette colours ("." is transparent). The pointer is the classic
arrow with its tip at its top-left pixel; its fill is `POINTER_COLOR`, which
nothing else on screen uses.
"""

from neuralcomputer.software.desktop.draw import bitmap
from neuralcomputer.software.desktop.palette import (
    BLACK,
    BLUE,
    FACE,
    GREEN,
    LCD,
    POINTER_COLOR,
    RED,
    SHADOW,
    WHITE,
    YELLOW,
)

COLORS = {"k": BLACK, "w": WHITE, "f": FACE, "s": SHADOW, "g": GREEN, "y": YELLOW, "b": BLUE, "l": LCD, "r": RED}

ICON_W, ICON_H = 14, 12
ICONS = {
    "files": bitmap(
        """
..............
.kkkkk........
kyyyyyk.......
kyyyyyykkkkkk.
kyyyyyyyyyyyyk
kykkkkkkkkkkkk
kyyyyyyyyyyyyk
kyyyyyyyyyyyyk
kyyyyyyyyyyyyk
kyyyyyyyyyyyyk
kyyyyyyyyyyyyk
.kkkkkkkkkkkk.
""",
        COLORS,
    ),
    "notepad": bitmap(
        """
..kkkkkkkk....
..kwwwwwwkk...
..kwbbbbwkwk..
..kwwwwwwkkkk.
..kwbbbbbbbwk.
..kwwwwwwwwwk.
..kwbbbbbbbwk.
..kwwwwwwwwwk.
..kwbbbbbbbwk.
..kwwwwwwwwwk.
..kwwwwwwwwwk.
..kkkkkkkkkkk.
""",
        COLORS,
    ),
    "calculator": bitmap(
        """
..kkkkkkkkkk..
..kffffffffk..
..kfllllllfk..
..kfllllllfk..
..kffffffffk..
..kfkkfkkfkk..
..kffffffffk..
..kfkkfkkfkk..
..kffffffffk..
..kfkkfkkfrk..
..kffffffffk..
..kkkkkkkkkk..
""",
        COLORS,
    ),
    "terminal": bitmap(
        """
kkkkkkkkkkkkkk
kffffffffffffk
kfkkkkkkkkkkfk
kfkgkkkkkkkkfk
kfkkgkkkkkkkfk
kfkgkggggkkkfk
kfkkkkkkkkkkfk
kffffffffffffk
kkkkkkkkkkkkkk
....kssssk....
..kkkkkkkkkk..
..kkkkkkkkkk..
""",
        COLORS,
    ),
}

POINTER = bitmap(
    """
k.......
kk......
kpk.....
kppk....
kpppk...
kppppk..
kpppppk.
kppppppk
kppkkkkk
kpk.kpk.
kk...kpk
......kk
""",
    {"k": BLACK, "p": POINTER_COLOR},
)

# 3x3 glyphs centred on the 7x7 title-bar buttons.
MINIMIZE_GLYPH = bitmap(
    """
...
...
kkk
""",
    COLORS,
)
CLOSE_GLYPH = bitmap(
    """
k.k
.k.
k.k
""",
    COLORS,
)
