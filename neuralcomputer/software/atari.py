"""Atari 2600 games as a `Software`: Breakout (default) or Pong through the Arcade Learning Environment.

Screens are the console's own colours: ALE's `getScreen()` gives the TIA colour
byte of every pixel, whose low bit the NTSC palette ignores, so byte >> 1 is an
index into the 128-colour NTSC palette below (ALE's, the one `getScreenRGB`
uses; a test checks the two agree). Frames are native, 160x210, uncropped.

Controls, from the schema's held keys: Breakout's paddle moves with Left/Right;
Pong's with Up/Down (ALE reads Pong's paddle as a joystick pushed right for up
and left for down; this module hides that); space is FIRE (Breakout needs it
to serve a ball). A `key` press acts as that key held for the one step; other
keys and the mouse do nothing.

One step is `frame_skip` emulator frames (default 4, as in DQN and the Atari
world models IRIS and DIAMOND) with the same input; the screen is the last
frame's. Sticky actions are off (repeat_action_probability 0), so the game is a
pure function of its inputs: the same seed and actions give the same screens.
ALE's own seed changes nothing without sticky actions, so `reset(seed)` uses
the seed for "no-op starts" (0-30 idle frames after the reset, as in DQN's
evaluation), which shifts the game's frame-counter-driven randomness. When the
game is over, the same step resets it and returns the new game's first frame.
"""

from __future__ import annotations

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError

WIDTH, HEIGHT = 160, 210
FRAMES_PER_SECOND = 60  # the console's NTSC frame rate
MAX_NOOP_FRAMES = 30
# Held key -> joystick direction, per game.
GAMES = {
    "breakout": {"Left": "LEFT", "Right": "RIGHT"},
    "pong": {"Up": "RIGHT", "Down": "LEFT"},
}
FIRE_KEY = " "
# ALE's NTSC palette, 0xRRGGBB, 8 hues of 8 lumas per row (index = TIA colour byte >> 1).
NTSC = """
000000 4a4a4a 6f6f6f 8e8e8e aaaaaa c0c0c0 d6d6d6 ececec 484800 69690f 86861d a2a22a bbbb35 d2d240 e8e84a fcfc54
7c2c00 904811 a26221 b47a30 c3903d d2a44a dfb755 ecc860 901c00 a33915 b55328 c66c3a d5824a e39759 f0aa67 fcbc74
940000 a71a1a b83232 c84848 d65c5c e46f6f f08080 fc9090 840064 97197a a8308f b846a2 c659b3 d46cc3 e07cd2 ec8ce0
500084 68199a 7d30ad 9246c0 a459d0 b56ce0 c57cee d48cfc 140090 331aa3 4e32b5 6848c6 7f5cd5 956fe3 a980f0 bc90fc
000094 181aa7 2d32b8 4248c8 545cd6 656fe4 7580f0 8490fc 001c88 183b9d 2d57b0 4272c2 548ad2 65a0e1 75b5ef 84c8fc
003064 185080 2d6d98 4288b0 54a0c5 65b7d9 75cceb 84e0fc 004030 18624e 2d8169 429e82 54b899 65d1ae 75e7c2 84fcd4
004400 1a661a 328432 48a048 5cba5c 6fd26f 80e880 90fc90 143c00 355f18 527e2d 6e9c42 87b754 9ed065 b4e775 c8fc84
303800 505916 6d762b 88923e a0ab4f b7c25f ccd86e e0ec7c 482c00 694d14 866a26 a28638 bb9f47 d2b656 e8cc63 fce070
"""
PALETTE = np.array([[int(c[i : i + 2], 16) for i in (0, 2, 4)] for c in NTSC.split()], dtype=np.uint8)
PALETTE.setflags(write=False)


class Atari:
    """One ALE game as a `neuralcomputer.software.base.Software`, plus its RAM for scripted players."""

    name = "atari"
    pointer_color = None  # no mouse pointer on screen

    def __init__(self, width: int = WIDTH, height: int = HEIGHT, game: str = "breakout", frame_skip: int = 4):
        if (width, height) != (WIDTH, HEIGHT):
            raise UserError(f"atari: screens are the console's own {WIDTH}x{HEIGHT}; got {width}x{height}")
        if game not in GAMES:
            raise UserError(f"atari: unknown game {game!r} (known: {', '.join(GAMES)})")
        if frame_skip < 1:
            raise UserError(f"atari: frame_skip must be at least 1, got {frame_skip}")
        self.width, self.height = width, height
        self.game, self.frame_skip = game, frame_skip
        self.clock_hz = FRAMES_PER_SECOND / frame_skip  # 15 steps/s at the default 4 frames a step
        self.palette = PALETTE
        self._ale = None  # loaded on the first reset, so building one just to read its palette is cheap
        self._actions: dict[str, object] = {}
        self.score = 0  # reward summed since the last reset, across restarts
        self.games = 0  # games started since the last reset, the first included

    def reset(self, seed: int = 0) -> np.ndarray:
        """Start a new game, idle for 0-30 frames chosen by `seed`; returns its screen."""
        if self._ale is None:
            self._load()
        self._ale.reset_game()
        noop = self._actions["NOOP"]
        for _ in range(np.random.default_rng(seed).integers(0, MAX_NOOP_FRAMES + 1)):
            self._ale.act(noop)
        self.score, self.games = 0, 1
        return self._screen()

    def step(self, action: Action) -> np.ndarray:
        """Hold `action`'s input for `frame_skip` frames; a game that ends is restarted."""
        joystick = self._actions[self._joystick(action)]
        for _ in range(self.frame_skip):
            self.score += self._ale.act(joystick)
            if self._ale.game_over():
                self._ale.reset_game()
                self.games += 1
                break
        return self._screen()

    def state(self) -> dict:
        """Score, lives, frame number and the console's 128 bytes of RAM."""
        return {
            "game": self.game,
            "games": self.games,
            "score": int(self.score),
            "lives": int(self._ale.lives()),
            "frame": int(self._ale.getEpisodeFrameNumber()),
            "ram": self.ram().tolist(),
        }

    def ram(self) -> np.ndarray:
        """The console's RAM, (128,) uint8 (where the ball and paddles are, for scripted players)."""
        return self._ale.getRAM()

    def _load(self) -> None:
        import ale_py
        from ale_py import roms

        ale = ale_py.ALEInterface()
        ale.setLoggerMode(ale_py.LoggerMode.Error)
        ale.setFloat("repeat_action_probability", 0.0)  # no sticky actions: inputs alone decide the game
        ale.setInt("frame_skip", 1)  # frames are skipped here, so the last one is the one returned
        ale.loadROM(roms.get_rom_path(self.game))
        self._ale = ale
        self._actions = dict(ale_py.Action.__members__)

    def _joystick(self, action: Action) -> str:
        """ALE's action name for the held keys: vertical + horizontal + FIRE, e.g. "UPLEFTFIRE"."""
        held = set(action.hold) | ({action.key} if action.key is not None else set())
        directions = {direction for key, direction in GAMES[self.game].items() if key in held}
        name = "".join(d for pair in (("UP", "DOWN"), ("LEFT", "RIGHT")) for d in pair if {d} == directions & set(pair))
        name += "FIRE" if FIRE_KEY in held else ""
        return name or "NOOP"

    def _screen(self) -> np.ndarray:
        return self._ale.getScreen() >> 1
