"""The desktop's fixed 13-colour palette: a classic teal-and-grey look.

Screens are arrays of indices into `PALETTE`. One index, `POINTER_COLOR`, is
used by nothing but the fill of the mouse pointer, so evaluation can find the
pointer in any frame (real or predicted) by looking for that index alone.
"""

import numpy as np

BLACK, WHITE, TEAL, FACE, SHADOW, NAVY, LIGHT, GREEN, RED, YELLOW, BLUE, LCD, POINTER_COLOR = range(13)

PALETTE = np.array(
    [
        (0, 0, 0),  # BLACK: outlines, text
        (248, 248, 248),  # WHITE: paper, bevel highlights (not pure white: that one is the pointer's)
        (0, 128, 128),  # TEAL: the desktop
        (192, 192, 192),  # FACE: window and button faces
        (128, 128, 128),  # SHADOW: bevel shadows, inactive title bars
        (0, 0, 128),  # NAVY: focused title bar, selections
        (224, 224, 224),  # LIGHT: pressed taskbar entry
        (64, 224, 96),  # GREEN: terminal text
        (216, 40, 40),  # RED: errors
        (240, 200, 64),  # YELLOW: folders
        (64, 128, 224),  # BLUE: icon accents
        (200, 216, 184),  # LCD: calculator display
        (255, 255, 255),  # POINTER_COLOR: the pointer's fill, and nothing else
    ],
    dtype=np.uint8,
)
PALETTE.setflags(write=False)
