"""`ncomp`: the command line. Thin: parse arguments, call the library, print.

Every verb follows the same conventions: paths are positional or `--out`,
`--json` prints machine-readable output, `--debug` shows tracebacks. A problem a
person can fix (`UserError`) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from neuralcomputer.errors import UserError
from neuralcomputer.software import SOFTWARE_NAMES


def cmd_record(args: argparse.Namespace) -> None:
    from neuralcomputer.actions import read_action_log
    from neuralcomputer.recordings.record import record_episodes, replay_actions

    if args.actions:
        actions = read_action_log(args.actions, args.width, args.height)
        name = replay_actions(
            args.out, actions, software=args.software, seed=args.seed, width=args.width, height=args.height
        )
        print(f"replayed {len(actions)} actions into {args.out} ({name})")
        return
    names = record_episodes(
        args.out,
        software=args.software,
        episodes=args.episodes,
        steps=args.steps,
        seed=args.seed,
        width=args.width,
        height=args.height,
        workers=args.workers,
    )
    print(f"recorded {len(names)} episodes x {args.steps} steps into {args.out}")


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
    record.add_argument("--width", type=positive_int, default=128, help="screen width in pixels (default 128)")
    record.add_argument("--height", type=positive_int, default=128, help="screen height in pixels (default 128)")
    record.add_argument("--workers", type=positive_int, default=1, help="parallel recording processes")
    record.add_argument(
        "--actions", metavar="FILE.jsonl", help="replay this action log (one JSON action per line) instead"
    )
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
