"""DOOM as a `Software`: Freedoom played through ViZDoom, as GameNGen learned DOOM.

Screens are the game's own 8-bit frames (`DOOM_256_COLORS8`): indices into the
WAD's PLAYPAL, so a recording is exactly what the engine drew, with nothing
quantised. (The 8-bit renderer does its damage/pickup flashes by changing the
palette, not the pixels, so flashes are not in the recordings.) The default map
is Freedoom's E1M1 at skill 3, a real level with doors, stairs and monsters,
at 160x120 (ViZDoom's RES_160X120) with the status bar shown.

Controls, from the schema's held keys (ViZDoom buttons in brackets):

    Up, w       forward (MOVE_FORWARD)      Down, s     back (MOVE_BACKWARD)
    Left/Right  turn (TURN_LEFT/RIGHT), or strafe while Alt is held (as in DOOM)
    a, d        strafe (MOVE_LEFT/RIGHT)    Shift       run (SPEED)
    Ctrl        fire (ATTACK)               space, e    use: doors, switches (USE)
    key "1".."7"  select that weapon; any other key press acts as that key held for
                  the one step; the mouse and Enter/Tab do nothing.

One step is `frame_skip` game tics (default 4, as in GameNGen) with the buttons
held throughout; the screen is the last tic's. When an episode ends (the player
dies, or leaves the level) the same step starts a new episode and returns its
first frame, so a recording runs on across deaths.

Determinism: ViZDoom's random numbers come from `reset(seed)` only, so the same
seed and the same actions give the same screens, across restarts inside an
episode too (tests/software/test_doom.py checks it).
"""

from __future__ import annotations

import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuralcomputer.actions import Action
from neuralcomputer.errors import UserError

# (ViZDoom button name, held keys that press it); strafing with Alt+arrows is handled in `_buttons`.
BUTTON_KEYS = (
    ("MOVE_FORWARD", ("Up", "w")),
    ("MOVE_BACKWARD", ("Down", "s")),
    ("TURN_LEFT", ("Left",)),
    ("TURN_RIGHT", ("Right",)),
    ("MOVE_LEFT", ("a",)),
    ("MOVE_RIGHT", ("d",)),
    ("ATTACK", ("Ctrl",)),
    ("USE", (" ", "e")),
    ("SPEED", ("Shift",)),
)
TICS_PER_SECOND = 35  # DOOM's game clock
WEAPON_KEYS = tuple("1234567")  # SELECT_WEAPON1..7: fist/chainsaw, pistol, shotguns, chaingun, rockets, plasma, BFG
BUTTONS = tuple(name for name, _ in BUTTON_KEYS) + tuple(f"SELECT_WEAPON{k}" for k in WEAPON_KEYS)
BUTTON_INDEX = {name: i for i, name in enumerate(BUTTONS)}
STATE_VARIABLES = (
    "HEALTH", "ARMOR", "SELECTED_WEAPON", "SELECTED_WEAPON_AMMO", "KILLCOUNT", "POSITION_X", "POSITION_Y",
    "POSITION_Z", "ANGLE",
)
# Monster class names, lower case: the engine's names are case-blind and ViZDoom spells some
# differently from the source ("Zombieman" for ZombieMan).
MONSTERS = frozenset(
    "zombieman shotgunguy chaingunguy wolfensteinss doomimp demon spectre lostsoul cacodemon hellknight "
    "baronofhell arachnotron painelemental revenant fatso archvile spidermastermind cyberdemon".split()
)


@dataclass(frozen=True)
class Sighting:
    """One thing on screen, from ViZDoom's labels buffer: its class name, object id and screen box."""

    name: str
    id: int
    x: int
    y: int
    w: int
    h: int

    @property
    def is_monster(self) -> bool:
        return self.name.lower() in MONSTERS


def read_wad(wad: Path) -> tuple[np.ndarray, set[str]]:
    """The WAD's palette (PLAYPAL's first, (256, 3) uint8: what DOOM_256_COLORS8 indexes) and its level names."""
    with open(wad, "rb") as f:
        magic, lumps, directory = struct.unpack("<4sii", f.read(12))
        if magic not in (b"IWAD", b"PWAD"):
            raise UserError(f"{wad}: not a WAD file")
        f.seek(directory)
        entries = f.read(16 * lumps)
        raw = (struct.unpack_from("<ii8s", entries, 16 * i) for i in range(lumps))
        names = [(offset, name.rstrip(b"\0").decode("ascii", "replace")) for offset, _, name in raw]
        # A level is a marker lump (E1M1, MAP01) followed by its THINGS lump.
        levels = {name for (_, name), (_, after) in zip(names, names[1:]) if after == "THINGS"}
        playpal = next((offset for offset, name in names if name == "PLAYPAL"), None)
        if playpal is None:
            raise UserError(f"{wad}: has no PLAYPAL lump")
        f.seek(playpal)
        return np.frombuffer(f.read(768), dtype=np.uint8).reshape(256, 3).copy(), levels


class Doom:
    """Freedoom through ViZDoom as a `neuralcomputer.software.base.Software`, plus what a scripted player sees."""

    name = "doom"
    pointer_color = None  # no mouse pointer on screen

    def __init__(
        self,
        width: int = 160,
        height: int = 120,
        wad: str = "freedoom1",
        level: str = "E1M1",
        skill: int = 3,
        frame_skip: int = 4,
        hud: bool = True,
    ):
        import vizdoom

        self._vizdoom = vizdoom
        self._resolution = getattr(vizdoom.ScreenResolution, f"RES_{width}X{height}", None)
        if self._resolution is None:
            sizes = ", ".join(n[4:].lower() for n in vizdoom.ScreenResolution.__members__)
            raise UserError(f"doom: ViZDoom cannot render {width}x{height}; use one of {sizes}")
        self._wad = Path(vizdoom.__file__).parent / f"{wad}.wad"
        if not self._wad.exists():
            raise UserError(f"doom: no {wad}.wad in {self._wad.parent}; use freedoom1 or freedoom2")
        if frame_skip < 1 or not 1 <= skill <= 5:
            raise UserError(f"doom: frame_skip must be >= 1 and skill 1..5, got {frame_skip} and {skill}")
        self.palette, levels = read_wad(self._wad)
        level = level.upper()
        if level not in levels:  # ViZDoom would hang on it rather than fail
            raise UserError(f"doom: {wad}.wad has no level {level!r} (it has {', '.join(sorted(levels))})")
        self.width, self.height = width, height
        self.level, self.skill, self.frame_skip, self.hud = level, skill, frame_skip, hud
        self.clock_hz = TICS_PER_SECOND / frame_skip  # 8.75 steps/s at the default 4 tics a step
        self.palette.setflags(write=False)
        self._game = None  # started on the first reset, so building one just to read its palette is cheap
        self._engine_files: tempfile.TemporaryDirectory | None = None
        self._state = None
        self.episodes = 0  # episodes started since the last reset, the first included

    def reset(self, seed: int = 0) -> np.ndarray:
        """Start the map afresh with ViZDoom's episode seed `seed`; returns its first frame."""
        if self._game is None:
            self._game = self._start_game()
        self._game.set_seed(int(seed) % 2**31)
        self.episodes = 0
        return self._new_episode()

    def step(self, action: Action) -> np.ndarray:
        """Hold `action`'s buttons for `frame_skip` tics; a finished episode is followed by a new one."""
        self._game.make_action(self._buttons(action), self.frame_skip)
        if self._game.is_episode_finished():
            return self._new_episode()
        self._state = self._game.get_state()
        return self._state.screen_buffer

    def state(self) -> dict:
        """Health, ammo, kills, position and the like: the game's own variables."""
        game, variables = self._game, self._vizdoom.GameVariable
        v = {name: float(game.get_game_variable(getattr(variables, name))) for name in STATE_VARIABLES}
        return {
            "episode": self.episodes,
            "tic": int(game.get_episode_time()),
            "health": v["HEALTH"],
            "armor": v["ARMOR"],
            "weapon": int(v["SELECTED_WEAPON"]),
            "ammo": v["SELECTED_WEAPON_AMMO"],
            "kills": int(v["KILLCOUNT"]),
            "position": [v["POSITION_X"], v["POSITION_Y"], v["POSITION_Z"]],
            "angle": v["ANGLE"],
        }

    def sightings(self) -> list[Sighting]:
        """What is on screen now (monsters, items, corpses), from the labels buffer; the player itself left out."""
        return [
            Sighting(label.object_name, int(label.object_id), label.x, label.y, label.width, label.height)
            for label in self._state.labels
            if label.object_name != "DoomPlayer"
        ]

    def depth(self) -> np.ndarray:
        """The depth buffer, (H, W) uint8: small is near."""
        return self._state.depth_buffer

    def close(self) -> None:
        """Stop the game engine."""
        if self._game is not None:
            self._game.close()
            self._game = None
            self._engine_files.cleanup()

    def _start_game(self):
        vzd = self._vizdoom
        game = vzd.DoomGame()
        # The engine writes its settings file; keep it out of the working directory.
        self._engine_files = tempfile.TemporaryDirectory(prefix="ncomp-doom-")
        game.set_doom_config_path(str(Path(self._engine_files.name) / "_vizdoom.ini"))
        game.set_doom_game_path(str(self._wad))
        game.set_doom_map(self.level)
        game.set_doom_skill(self.skill)
        game.set_screen_resolution(self._resolution)
        game.set_screen_format(vzd.ScreenFormat.DOOM_256_COLORS8)
        game.set_render_hud(self.hud)
        game.set_labels_buffer_enabled(True)  # for the scripted player only; never recorded
        game.set_depth_buffer_enabled(True)
        game.set_available_buttons([getattr(vzd.Button, name) for name in BUTTONS])
        game.set_episode_start_time(1)
        game.set_episode_timeout(0)  # episodes end by death or the level's exit, never by a clock
        game.set_window_visible(False)
        game.set_sound_enabled(False)
        game.set_mode(vzd.Mode.PLAYER)
        try:
            game.init()
        except Exception as e:  # ViZDoom raises its own types for a bad map name, missing WAD, ...
            raise UserError(f"doom: ViZDoom could not start {self._wad.name} {self.level}: {e}") from None
        return game

    def _new_episode(self) -> np.ndarray:
        self._game.new_episode()
        self.episodes += 1
        self._state = self._game.get_state()
        return self._state.screen_buffer

    def _buttons(self, action: Action) -> list[int]:
        held = set(action.hold)
        pressed = [0] * len(BUTTONS)
        if action.key in WEAPON_KEYS:
            pressed[BUTTON_INDEX[f"SELECT_WEAPON{action.key}"]] = 1
        elif action.key is not None:
            held.add(action.key)
        for name, keys in BUTTON_KEYS:
            if held.intersection(keys):
                pressed[BUTTON_INDEX[name]] = 1
        if "Alt" in held:  # Alt turns the arrows' turning into strafing
            for turn, strafe in (("TURN_LEFT", "MOVE_LEFT"), ("TURN_RIGHT", "MOVE_RIGHT")):
                if pressed[BUTTON_INDEX[turn]]:
                    pressed[BUTTON_INDEX[turn]], pressed[BUTTON_INDEX[strafe]] = 0, 1
        return pressed
