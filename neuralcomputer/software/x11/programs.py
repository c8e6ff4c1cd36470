"""How to start each X program full-screen, and the scratch directory it runs in.

Every program runs with HOME and the working directory set to a fresh scratch
directory holding a few small files, so a scripted user typing shell commands
can only touch those, and every episode starts from the same files.

xterm uses the core bitmap font 6x10 (no anti-aliasing, so two exact colours):
at the default 256x192 screen that is 42 columns by 19 rows, enough for a
command and its output, each glyph still a legible 6x10 pixels. Its shell is
`sh` with the prompt "$ ". xcalc (TI-30 mode) stretches its 5x11 button grid
over the whole screen; 256x192 keeps every button label readable. Any other
command line runs as given; its first window is then stretched over the screen.
"""

from __future__ import annotations

import shlex
from pathlib import Path

XTERM_FONT = "6x10"
XTERM_CELL = (6, 10)  # pixels per character of XTERM_FONT
XTERM_BORDER = 2  # xterm's default internal border, pixels
SCRATCH_FILES = {
    "notes.txt": "buy milk\ncall bob\nfix the bike\n",
    "todo.txt": "1. read\n2. write\n3. test\n",
    "numbers.txt": "".join(f"{i}\n" for i in range(1, 11)),
    "hello.sh": "echo hello from a script\n",
    "docs/readme.txt": "a neural computer learns\nby watching programs run\n",
    "docs/poem.txt": "roses are red\nscreens are blue\n",
}


def command_line(app: str, width: int, height: int) -> list[str]:
    """The argv that starts `app` ("xterm", "xcalc" or any command line) filling a `width`x`height` screen."""
    if app == "xterm":
        cols = (width - 2 * XTERM_BORDER) // XTERM_CELL[0]
        rows = (height - 2 * XTERM_BORDER) // XTERM_CELL[1]
        return ["xterm", "-fn", XTERM_FONT, "-geometry", f"{cols}x{rows}+0+0", "-bw", "0", "+sb", "-e", "sh"]
    if app == "xcalc":
        return ["xcalc", "-geometry", f"{width}x{height}+0+0"]
    return shlex.split(app)


def make_scratch(root: Path) -> Path:
    """Create the scratch directory's files under `root` (which must be empty or absent); returns it."""
    for name, text in SCRATCH_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
