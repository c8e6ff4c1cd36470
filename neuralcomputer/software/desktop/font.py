"""A 4x6 bitmap font for all 95 printable ASCII characters, drawn and read back with numpy.

Each glyph sits in a 5x7 cell (one blank column and row for spacing), so a
128-pixel-wide screen holds 25 characters per line. Text is drawn a whole line
at a time by indexing a glyph atlas, and `read_text` inverts `draw_text` by
exact template match, which is how a model's text accuracy is measured: a cell
is right only if every pixel of its glyph is right.
"""

from __future__ import annotations

import numpy as np

from neuralcomputer.software.desktop.draw import paint

GLYPH_W, GLYPH_H = 4, 6
CELL_W, CELL_H = GLYPH_W + 1, GLYPH_H + 1
FIRST, LAST = 32, 126  # printable ASCII; anything else is drawn as "?"

# Bands of glyphs: a line naming each glyph (at every fifth column), then its six
# rows of pixels, "#" on and "." off. Capitals sit on rows 0-4, lower case on
# rows 1-4 with ascenders on row 0 and descenders on row 5.
GLYPHS = r"""
     !    "    #    $    %    &    '    (    )    *    +
.... .#.. #.#. #.#. .### #..# .#.. .#.. ..#. .#.. .... ....
.... .#.. #.#. #### #.#. ..#. #.#. .#.. .#.. ..#. #.#. .#..
.... .#.. .... #.#. .##. .#.. .##. .... .#.. ..#. .#.. ###.
.... .... .... #### ..## #... #.#. .... .#.. ..#. #.#. .#..
.... .#.. .... #.#. ###. #..# .#.# .... ..#. .#.. .... ....
.... .... .... .... ..#. .... .... .... .... .... .... ....

,    -    .    /    0    1    2    3    4    5    6    7
.... .... .... ...# ###. .#.. ###. ###. #.#. ###. ###. ###.
.... .... .... ..#. #.#. ##.. ..#. ..#. #.#. #... #... ..#.
.... ###. .... ..#. #.#. .#.. ###. .##. ###. ###. ###. ..#.
.... .... .... .#.. #.#. .#.. #... ..#. ..#. ..#. #.#. .#..
.#.. .... .#.. #... ###. ###. ###. ###. ..#. ###. ###. .#..
#... .... .... .... .... .... .... .... .... .... .... ....

8    9    :    ;    <    =    >    ?    @    A    B    C
###. ###. .... .... ..#. .... #... ###. .##. .##. ###. .###
#.#. #.#. .#.. .#.. .#.. ###. .#.. ..#. #..# #..# #..# #...
###. ###. .... .... #... .... ..#. .##. #.## #### ###. #...
#.#. ..#. .... .... .#.. ###. .#.. .... #... #..# #..# #...
###. ###. .#.. .#.. ..#. .... #... .#.. .### #..# ###. .###
.... .... .... #... .... .... .... .... .... .... .... ....

D    E    F    G    H    I    J    K    L    M    N    O
###. #### #### .### #..# ###. ..## #..# #... #..# #..# .##.
#..# #... #... #... #..# .#.. ...# #.#. #... #### ##.# #..#
#..# ###. ###. #.## #### .#.. ...# ##.. #... #### #.## #..#
#..# #... #... #..# #..# .#.. #..# #.#. #... #..# #..# #..#
###. #### #... .### #..# ###. .##. #..# #### #..# #..# .##.
.... .... .... .... .... .... .... .... .... .... .... ....

P    Q    R    S    T    U    V    W    X    Y    Z    [
###. .##. ###. .### ###. #..# #.#. #..# #..# #.#. #### .##.
#..# #..# #..# #... .#.. #..# #.#. #..# #..# #.#. ..#. .#..
###. #..# ###. .##. .#.. #..# #.#. #### .##. .#.. .#.. .#..
#... #.#. #.#. ...# .#.. #..# #.#. #### #..# .#.. #... .#..
#... .#.# #..# ###. .#.. .##. .#.. #..# #..# .#.. #### .##.
.... .... .... .... .... .... .... .... .... .... .... ....

\    ]    ^    _    `    a    b    c    d    e    f    g
#... .##. .#.. .... #... .... #... .... ...# .... ..## ....
.#.. ..#. #.#. .... .#.. .### ###. .### .### .##. .#.. .###
.#.. ..#. .... .... .... #..# #..# #... #..# #### ###. #..#
..#. ..#. .... .... .... #.## #..# #... #..# #... .#.. .###
...# .##. .... .... .... .#.# ###. .### .### .### .#.. ...#
.... .... .... #### .... .... .... .... .... .... .... .##.

h    i    j    k    l    m    n    o    p    q    r    s
#... .#.. ..#. #... ##.. .... .... .... .... .... .... ....
###. .... .... #..# .#.. #### ###. .##. ###. .### #.## .###
#..# ##.. .##. #.#. .#.. #.## #..# #..# #..# #..# ##.. ##..
#..# .#.. ..#. ###. .#.. #..# #..# #..# ###. .### #... ..##
#..# ###. ..#. #..# .##. #..# #..# .##. #... ...# #... ###.
.... .... ##.. .... .... .... .... .... #... ...# .... ....

t    u    v    w    x    y    z    {    |    }    ~
.#.. .... .... .... .... .... .... ..#. .#.. .#.. ....
###. #..# #.#. #..# #..# #..# #### .#.. .#.. ..#. .#.#
.#.. #..# #.#. #..# .##. #..# ..#. ##.. .#.. ..## #.#.
.#.. #..# #.#. #### .##. .### .#.. .#.. .#.. ..#. ....
..## .### .#.. .##. #..# ...# #### ..#. .#.. .#.. ....
.... .... .... .... .... .##. .... .... .#.. .... ....
"""


def _parse(art: str) -> np.ndarray:
    """The glyph grid -> atlas of shape (95, CELL_H, CELL_W), bool, indexed by ord(c) - FIRST."""
    atlas = np.zeros((LAST - FIRST + 1, CELL_H, CELL_W), dtype=bool)
    lines = art.strip("\n").split("\n")
    for top in range(0, len(lines), GLYPH_H + 2):
        names, rows = lines[top], lines[top + 1 : top + 1 + GLYPH_H]
        for i, name in enumerate(names[::CELL_W]):
            for r, row in enumerate(rows):
                atlas[ord(name) - FIRST, r, :GLYPH_W] = [c == "#" for c in row[i * CELL_W : i * CELL_W + GLYPH_W]]
    return atlas


ATLAS = _parse(GLYPHS)
# Each glyph's pixels as one integer, for reading text back by table lookup.
_BIT_WEIGHTS = (1 << np.arange(GLYPH_H * GLYPH_W, dtype=np.int64)).reshape(GLYPH_H, GLYPH_W)
_CODE_TO_CHAR = {int((ATLAS[i, :GLYPH_H, :GLYPH_W] * _BIT_WEIGHTS).sum()): chr(FIRST + i) for i in range(len(ATLAS))}


# Byte -> atlas index; bytes outside printable ASCII draw as "?".
_BYTE_TO_INDEX = np.full(256, ord("?") - FIRST, dtype=np.int64)
_BYTE_TO_INDEX[FIRST : LAST + 1] = np.arange(LAST - FIRST + 1)


def draw_text(canvas: np.ndarray, x: int, y: int, text: str, color: int) -> None:
    """Draw one line of text with its first cell's top-left at (x, y); clips at the canvas edges."""
    if not text:
        return
    cells = ATLAS[_BYTE_TO_INDEX[np.frombuffer(text.encode("ascii", "replace"), dtype=np.uint8)]]  # (n, CELL_H, CELL_W)
    paint(canvas, x, y, cells.transpose(1, 0, 2).reshape(CELL_H, -1), color)


def read_text(screen: np.ndarray, x: int, y: int, n: int, color: int) -> str:
    """Read n characters drawn in `color` at (x, y) back from a screen; a cell matching no glyph reads "?"."""
    on = np.zeros((GLYPH_H, n * CELL_W), dtype=bool)
    height, width = screen.shape
    y0, y1, x0, x1 = max(y, 0), min(y + GLYPH_H, height), max(x, 0), min(x + n * CELL_W, width)
    if y0 < y1 and x0 < x1:
        on[y0 - y : y1 - y, x0 - x : x1 - x] = screen[y0:y1, x0:x1] == color
    cells = on.reshape(GLYPH_H, n, CELL_W)[:, :, :GLYPH_W].transpose(1, 0, 2)  # (n, GLYPH_H, GLYPH_W)
    codes = (cells * _BIT_WEIGHTS).sum(axis=(1, 2))
    return "".join(_CODE_TO_CHAR.get(int(c), "?") for c in codes)
