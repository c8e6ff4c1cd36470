"""Real X11 programs (xterm, xcalc, any command) recorded on a private Xvfb screen, as NeuralOS recorded a desktop."""

from neuralcomputer.software.x11.app import X11App
from neuralcomputer.software.x11.xcalc import button_centers

__all__ = ["X11App", "button_centers"]
