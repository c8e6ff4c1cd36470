"""A private X display: an Xvfb server, real input through XTest, and screen captures.

Each `VirtualDisplay` starts its own Xvfb on a free display number (Xvfb picks
it and reports it through -displayfd), so parallel recording workers never
share a screen. Input goes in as XTest events, which X clients cannot tell
from a real keyboard and mouse; the screen comes out with XGetImage, 24-bit
TrueColor. The X server is stopped by `close()`, when the object is collected,
at interpreter exit, and (through PR_SET_PDEATHSIG) when the process that
started it dies, so a killed recorder leaves no server behind.
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import signal
import subprocess
import time
import weakref
from typing import NamedTuple

from Xlib import X, display
from Xlib.error import BadDrawable, BadWindow
from Xlib.ext import xtest
from Xlib.xobject.drawable import Window

from neuralcomputer.errors import UserError

START_TIMEOUT_S = 10.0


class WindowBox(NamedTuple):
    """A window's inside area in screen pixels; depth 1 for a program's main window, 2 for its children, ..."""

    x: int
    y: int
    w: int
    h: int
    depth: int


def die_with_parent() -> None:
    """In a child process before exec: ask Linux to SIGTERM it when its parent dies."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def stop(process: subprocess.Popen) -> None:
    """Terminate a process group started with start_new_session=True, and reap it."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass


class VirtualDisplay:
    """One Xvfb screen of `width`x`height`, driven and captured through python-xlib."""

    def __init__(self, width: int, height: int):
        if shutil.which("Xvfb") is None:
            raise UserError("x11: Xvfb is not installed; run scripts/install-system-deps.sh (apt package xvfb)")
        self.width, self.height = width, height
        read, write = os.pipe()
        # -br: a black root window rather than the stipple; -noreset: keep the server when clients go.
        self.server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
             "-br", "-noreset"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=die_with_parent,
        )
        os.close(write)
        self._finalizer = weakref.finalize(self, stop, self.server)
        try:
            number = self._read_display_number(read)
        finally:
            os.close(read)
        self.name = f":{number}"
        self.connection = display.Display(self.name)
        self.root = self.connection.screen().root
        # Held keys stay down across steps; without this the server would add repeats by the wall clock.
        self.connection.change_keyboard_control(auto_repeat_mode=X.AutoRepeatModeOff)
        self.connection.sync()

    def _read_display_number(self, fd: int) -> str:
        """Xvfb writes the number and then a newline; closing the pipe before the newline would kill it."""
        text, deadline = b"", time.monotonic() + START_TIMEOUT_S
        while not text.endswith(b"\n") and select.select([fd], [], [], max(deadline - time.monotonic(), 0))[0]:
            chunk = os.read(fd, 32)
            if not chunk:
                break
            text += chunk
        if not text.endswith(b"\n"):
            self.close()
            raise UserError(f"x11: Xvfb did not start within {START_TIMEOUT_S:.0f} s")
        return text.decode().strip()

    def capture(self) -> bytes:
        """The whole screen as raw 32-bit BGRX pixels, row by row (compare these to see if it changed)."""
        image = self.root.get_image(0, 0, self.width, self.height, X.ZPixmap, 0xFFFFFFFF)
        return image.data

    def move(self, x: int, y: int) -> None:
        xtest.fake_input(self.connection, X.MotionNotify, x=x, y=y)

    def button(self, down: bool) -> None:
        """Press or release the left mouse button."""
        xtest.fake_input(self.connection, X.ButtonPress if down else X.ButtonRelease, 1)

    def key(self, keysym: int, down: bool, shift_if_needed: bool = True) -> None:
        """Press or release the key that types `keysym`, with Shift around it where the keymap needs it."""
        code = self.connection.keysym_to_keycode(keysym)
        if code == 0:
            return  # no key on this keymap types it
        shift = shift_if_needed and self.connection.keycode_to_keysym(code, 0) != keysym
        shift_code = self.connection.keysym_to_keycode(0xFFE1)  # Shift_L
        if shift and down:
            xtest.fake_input(self.connection, X.KeyPress, shift_code)
        xtest.fake_input(self.connection, X.KeyPress if down else X.KeyRelease, code)
        if shift and not down:
            xtest.fake_input(self.connection, X.KeyRelease, shift_code)

    def sync(self) -> None:
        """Wait until the server has handled every request sent so far."""
        self.connection.sync()

    def windows(self) -> list[WindowBox]:
        """Every mapped window below the root, in screen pixels, parents before children."""
        found: list[WindowBox] = []

        def visit(window: Window, ox: int, oy: int, depth: int) -> None:
            try:
                children = window.query_tree().children
            except (BadWindow, BadDrawable):  # destroyed while we looked
                return
            for child in children:
                try:
                    geometry = child.get_geometry()
                    if child.get_attributes().map_state != X.IsViewable:
                        continue
                except (BadWindow, BadDrawable):
                    continue
                x, y = ox + geometry.x + geometry.border_width, oy + geometry.y + geometry.border_width
                found.append(WindowBox(x, y, geometry.width, geometry.height, depth))
                visit(child, x, y, depth + 1)

        visit(self.root, 0, 0, 1)
        return found

    def top_level_windows(self) -> list[Window]:
        """The mapped children of the root (the programs' main windows), bottom to top."""
        return [
            w for w in self.root.query_tree().children if w.get_attributes().map_state == X.IsViewable
        ]

    def fill_screen(self, window: Window) -> None:
        """Place `window` over the whole screen and give it the keyboard (there is no window manager)."""
        window.configure(x=0, y=0, width=self.width, height=self.height, border_width=0)
        window.set_input_focus(X.RevertToPointerRoot, X.CurrentTime)
        self.sync()

    def close(self) -> None:
        """Disconnect and stop the X server."""
        connection = getattr(self, "connection", None)
        if connection is not None:
            connection.close()
            self.connection = None
        self._finalizer()
