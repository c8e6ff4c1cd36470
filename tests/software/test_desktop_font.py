import numpy as np

from neuralcomputer.software.desktop.font import ATLAS, CELL_H, CELL_W, GLYPH_H, GLYPH_W, draw_text, read_text

PRINTABLE = "".join(chr(c) for c in range(32, 127))


def test_cell_fits_24_characters_across_128_pixels():
    assert CELL_W <= 5 and 128 // CELL_W >= 24
    assert ATLAS.shape == (95, CELL_H, CELL_W)


def test_every_glyph_is_a_distinct_bitmap_and_only_space_is_blank():
    glyphs = ATLAS[:, :GLYPH_H, :GLYPH_W].reshape(95, -1)
    assert len({g.tobytes() for g in glyphs}) == 95
    assert [chr(32 + i) for i in range(95) if not glyphs[i].any()] == [" "]
    assert not ATLAS[:, GLYPH_H, :].any() and not ATLAS[:, :, GLYPH_W].any()  # spacing row and column


def test_read_text_round_trips_every_printable_character():
    canvas = np.zeros((2 * CELL_H, len(PRINTABLE) * CELL_W), dtype=np.uint8)
    draw_text(canvas, 0, 3, PRINTABLE, 7)
    assert read_text(canvas, 0, 3, len(PRINTABLE), 7) == PRINTABLE
    assert read_text(canvas, 0, 3, 5, 6) == "     "  # another colour reads as blank


def test_read_text_marks_unknown_cells_and_ignores_spacing_columns():
    canvas = np.zeros((10, 30), dtype=np.uint8)
    draw_text(canvas, 1, 1, "ab", 3)
    canvas[1:7, 1 + GLYPH_W] = 3  # a caret in the spacing column between the cells
    assert read_text(canvas, 1, 1, 2, 3) == "ab"
    canvas[2, 2] ^= 3  # one wrong pixel in "a"
    assert read_text(canvas, 1, 1, 2, 3) == "?b"


def test_draw_text_clips_at_canvas_edges():
    canvas = np.zeros((8, 12), dtype=np.uint8)
    draw_text(canvas, -2, -3, "HELLO", 1)  # must not raise
    draw_text(canvas, 10, 6, "HELLO", 1)
    draw_text(canvas, 40, 40, "HELLO", 1)
    assert canvas.any()
    full = np.zeros((20, 40), dtype=np.uint8)
    draw_text(full, 0, 0, "HELLO", 1)
    assert (canvas[:5, :12] == full[3:8, 2:14]).all()


def test_non_ascii_draws_as_question_mark():
    canvas = np.zeros((CELL_H, 2 * CELL_W), dtype=np.uint8)
    draw_text(canvas, 0, 0, "é\t", 1)
    assert read_text(canvas, 0, 0, 2, 1) == "??"
