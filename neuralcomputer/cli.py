"""`ncomp`: the command line. Thin: parse arguments, call the library, print.

Every verb follows the same conventions: paths are positional or `--out`,
`--json` prints machine-readable output, `--debug` shows tracebacks. A problem a
person can fix (`UserError`) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from neuralcomputer.errors import UserError
from neuralcomputer.software import DEFAULT_SIZES, SOFTWARE_NAMES
from neuralcomputer.training.config import TrainConfig

# Software options on the command line: flag -> the software that takes it.
SOFTWARE_OPTIONS = {
    "app": ("x11",), "game": ("atari",), "level": ("doom",), "skill": ("doom",), "frame_skip": ("doom", "atari")
}


def software_options(args: argparse.Namespace) -> dict:
    """The given software options, refusing those the chosen software does not take."""
    options = {}
    for name, takers in SOFTWARE_OPTIONS.items():
        value = getattr(args, name)
        if value is None:
            continue
        if args.software not in takers:
            flag = "--" + name.replace("_", "-")
            raise UserError(f"{flag} applies to {' and '.join(takers)}, not {args.software}")
        options[name] = value
    return options


def cmd_record(args: argparse.Namespace) -> None:
    from neuralcomputer.actions import read_action_log
    from neuralcomputer.recordings.record import record_episodes, replay_actions

    width, height = args.width or DEFAULT_SIZES[args.software][0], args.height or DEFAULT_SIZES[args.software][1]
    screen = dict(software=args.software, width=width, height=height, options=software_options(args))
    if args.actions:
        actions = read_action_log(args.actions, width, height)
        name = replay_actions(args.out, actions, seed=args.seed, **screen)
        print(f"replayed {len(actions)} actions into {args.out} ({name})")
        return
    recording = record_episodes(
        args.out, episodes=args.episodes, steps=args.steps, seed=args.seed, workers=args.workers, **screen
    )
    print(f"recorded {args.episodes} episodes x {args.steps} steps into {args.out} ({len(recording)} in all)")


def cmd_data_info(args: argparse.Namespace) -> None:
    from neuralcomputer.recordings import describe

    info = describe(args.dir)
    if args.json:
        print(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        print(f"{key:>18}: {value}")


def cmd_data_show(args: argparse.Namespace) -> None:
    from neuralcomputer.recordings import show

    show(args.dir, args.episode, args.out, scale=args.scale, fps=args.fps)
    print(f"wrote {args.out}")


def cmd_train(args: argparse.Namespace) -> None:
    from neuralcomputer.training import train

    try:
        overrides = json.loads(args.model_config) if args.model_config else {}
    except json.JSONDecodeError as e:
        raise UserError(f"--model-config: malformed JSON ({e.msg})") from None
    if not isinstance(overrides, dict):
        raise UserError("--model-config must be a JSON object, e.g. '{\"channels\": 48}'")
    # Flags share the names of TrainConfig's fields; data and model are spelled differently.
    fields = [f.name for f in dataclasses.fields(TrainConfig) if f.name not in ("data", "model")]
    given = {name: getattr(args, name) for name in fields if hasattr(args, name)}
    cfg = TrainConfig(data=args.data or args.software, model=overrides, **given)
    train(cfg)
    print(f"trained {args.arch}: best checkpoint in {args.out}/best, latest in {args.out}/latest")


def cmd_eval(args: argparse.Namespace) -> None:
    from neuralcomputer.evaluation import evaluate

    result = evaluate(
        args.model,
        args.data,
        args.horizon,
        baselines={"seed-gru": args.seed_gru},
        episodes=args.episodes,
        report_dir=args.report,
        teacher_forced=args.teacher_forced,
        compile=args.compile,
    )
    write_json(args.json, result)
    rows = [(f"steps 1..{h}", metrics) for h, metrics in result["at"].items()]
    if "teacher_forced" in result:
        rows.append(("teacher forced", result["teacher_forced"]))
    for label, metrics in rows:
        shown = ", ".join(f"{k} {v:.4g}" if v is not None else f"{k} n/a" for k, v in metrics.items())
        print(f"{label}: {shown}")
    others = "".join(f", {label} {b['steps_per_second']:.0f}" for label, b in result["baselines"].items())
    print(f"{result['steps_per_second']:.0f} steps/s at batch 1 (timed in turns{others}); wrote {args.json}")


def cmd_models(args: argparse.Namespace) -> None:
    from neuralcomputer.model import list_models

    rows = list_models()
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'name':<22} {'arch':<16} {'software':<10} {'size':<9} {'params':>10} {'MB':>6}")
    for row in rows:
        print(
            f"{row['name']:<22} {row['arch']:<16} {row['software']:<10} {row['size']:<9} "
            f"{row['params']:>10,} {row['file_size'] / 1e6:>6.1f}"
        )


def cmd_play(args: argparse.Namespace) -> None:
    if args.compile:
        print(f"ncomp play: compiling {args.model}'s step (a few minutes the first time, seconds after)", flush=True)
    if args.window:
        from neuralcomputer.runtime.window import run_window

        run_window(args.model, scale=args.scale, seed=args.seed, device=args.device, compile=args.compile)
        return
    from neuralcomputer.runtime.server import serve

    serve(
        args.model,
        host=args.host,
        port=args.port,
        max_sessions=args.max_sessions,
        seed=args.seed,
        device=args.device,
        compile=args.compile,
    )


def write_json(path: str, obj: object) -> None:
    """Write JSON atomically: a reader never sees half a file."""
    from pathlib import Path

    target = Path(path)
    temp = target.with_name(f".{target.name}.tmp")
    temp.write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")
    temp.replace(target)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ncomp", description="Record software, train neural computers of it, measure and use them."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    record = verbs.add_parser(
        "record", help="drive software with synthetic users (or replay an action log) and record it"
    )
    record.add_argument("software", choices=SOFTWARE_NAMES, help="the software to record")
    record.add_argument("--out", required=True, help="recording directory (created, or appended to)")
    record.add_argument("--episodes", type=positive_int, default=4, help="episodes to record (default 4)")
    record.add_argument("--steps", type=positive_int, default=500, help="actions per episode (default 500)")
    record.add_argument("--seed", type=int, default=0, help="seed of the first episode; episode i uses seed+i")
    sizes = ", ".join(f"{name} {w}x{h}" for name, (w, h) in DEFAULT_SIZES.items())
    record.add_argument("--width", type=positive_int, help=f"screen width in pixels (default: native: {sizes})")
    record.add_argument("--height", type=positive_int, help="screen height in pixels (default: native)")
    record.add_argument("--workers", type=positive_int, default=1, help="parallel recording processes")
    record.add_argument(
        "--actions", metavar="FILE.jsonl", help="replay this action log (one JSON action per line) instead"
    )
    record.add_argument("--app", help="x11: the program to record: xterm, xcalc, or any command line")
    record.add_argument("--game", choices=("breakout", "pong"), help="atari: the game (default breakout)")
    record.add_argument("--level", help="doom: the map, e.g. E1M1 (default)")
    record.add_argument("--skill", type=int, choices=range(1, 6), help="doom: difficulty 1-5 (default 3)")
    record.add_argument("--frame-skip", type=positive_int, help="doom, atari: game frames per step (default 4)")
    record.set_defaults(run=cmd_record)

    data = verbs.add_parser("data", help="inspect recordings").add_subparsers(dest="data_verb", required=True)
    info = data.add_parser("info", help="episodes, frames, software, resolution, size on disk")
    info.add_argument("dir", help="recording directory")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(run=cmd_data_info)
    show = data.add_parser("show", help="write an episode as a video (.gif/.mp4) or its action log (.jsonl)")
    show.add_argument("dir", help="recording directory")
    show.add_argument("--episode", type=int, default=0, help="episode index (default 0)")
    show.add_argument("--out", required=True, help="output file: .gif, .mp4 or .jsonl")
    show.add_argument("--scale", type=positive_int, default=None, help="integer upscale (default: >= 512 px wide)")
    show.add_argument("--fps", type=positive_int, default=15, help="frames per second of the video (default 15)")
    show.set_defaults(run=cmd_data_show)

    train = verbs.add_parser("train", help="train a neural computer on recordings (runs under torchrun too)")
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="recording directory to train on")
    source.add_argument(
        "--software", choices=SOFTWARE_NAMES, help="record this software first (into OUT/data), then train on it"
    )
    train.add_argument("--out", required=True, help="run directory: checkpoints, metrics.jsonl, tensorboard/")
    train.add_argument("--resume", action="store_true", help="continue OUT/latest exactly where it stopped")
    for name, kind, text in (  # each flag sets the TrainConfig field of its name, whose default it shows
        ("arch", str, "architecture (see neuralcomputer.model.ARCHS)"),
        ("minutes", float, "wall-clock budget over the whole run"),
        ("max-steps", int, "optimiser steps (0: until the time is spent)"),
        ("batch", positive_int, "windows per optimiser step"),
        ("sequence", positive_int, "steps per window"),
        ("chunk", positive_int, "truncated-BPTT length"),
        ("lr", float, "peak learning rate"),
        ("seed", int, "random seed"),
        ("threads", int, "torch CPU threads (0: torch's choice)"),
        ("teacher-forcing", float, "share of windows trained teacher forced"),
        ("repair", float, "teacher forced: largest share of a screen left as the model's own prediction"),
        ("debris", float, "teacher forced: largest share of a screen replaced by another window's"),
        ("event-share", float, "share of each batch's windows starting at an event"),
        ("event-pixels", float, "share of the screen a step must change to be an event"),
        ("history", int, "true screens each window's model watches before it starts"),
        ("drift", int, "steps each window first runs closed loop, unscored, to start from its own drift"),
        ("memory-gb", float, "GiB of decompressed training frames kept in memory"),
        ("max-colors", positive_int, "a bigger palette is cut to its most frequent colours"),
        ("eval-every", positive_int, "optimiser steps between held-out evaluations"),
        ("eval-steps", positive_int, "closed-loop steps of each held-out evaluation"),
        ("ckpt-every", positive_int, "optimiser steps between checkpoints"),
        ("record-episodes", positive_int, "with --software: episodes to record"),
        ("record-steps", positive_int, "with --software: steps per episode"),
        ("record-workers", positive_int, "with --software: recording processes"),
    ):
        default = getattr(TrainConfig, name.replace("-", "_"))
        train.add_argument(f"--{name}", type=kind, default=default, help=f"{text} (default %(default)s)")
    train.add_argument(
        "--event-anywhere", action="store_true", help="each event window holds its event at a random step, not 2 in"
    )
    train.add_argument("--model-config", metavar="JSON", help='architecture fields, e.g. \'{"channels": 48}\'')
    train.set_defaults(run=cmd_train)

    evaluate = verbs.add_parser("eval", help="run a model closed loop on recorded episodes and compare with the truth")
    evaluate.add_argument("--model", required=True, help="shipped model name or checkpoint directory")
    evaluate.add_argument("--data", required=True, help="recording directory (held-out episodes are used)")
    evaluate.add_argument("--horizon", type=positive_int, required=True, help="closed-loop steps per episode")
    evaluate.add_argument("--json", required=True, metavar="OUT.json", help="write the metrics here")
    evaluate.add_argument("--report", metavar="DIR", help="also write report.md, plots and a side-by-side video")
    evaluate.add_argument("--seed-gru", metavar="NAME_OR_DIR", help="the seed-gru baseline to compare with")
    evaluate.add_argument(
        "--teacher-forced", action="store_true", help="also measure each next screen predicted from the true past"
    )
    evaluate.add_argument(
        "--compile", action="store_true", help="compile each model's step first (a minute or so each; same screens)"
    )
    evaluate.add_argument(
        "--episodes",
        default="heldout",
        choices=("heldout", "all"),
        help="held-out episodes of DIR (default), or all of them for a recording made with unseen seeds",
    )
    evaluate.set_defaults(run=cmd_eval)

    play = verbs.add_parser("play", help="use a neural computer: in the browser (default) or in a window")
    play.add_argument("--model", default="desktop", help="shipped model name or checkpoint directory (default desktop)")
    play.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    play.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one)")
    play.add_argument("--max-sessions", type=positive_int, default=16, help="concurrent machines served (default 16)")
    play.add_argument("--window", action="store_true", help="open a desktop window (pygame) instead of a web page")
    play.add_argument("--scale", type=positive_int, default=4, help="window: pixels per screen pixel (default 4)")
    play.add_argument("--seed", type=int, default=0, help="seed the software boots with (default 0)")
    play.add_argument("--device", default="cpu", help="torch device for the model (default cpu)")
    play.add_argument(
        "--compile", action="store_true", help="compile each model's step as it loads: minutes once, faster steps"
    )
    play.set_defaults(run=cmd_play)

    models = verbs.add_parser("models", help="list the shipped models")
    models.add_argument("--json", action="store_true", help="print JSON")
    models.set_defaults(run=cmd_models)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except UserError as error:
        if args.debug:
            raise
        print(f"ncomp: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ncomp: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
