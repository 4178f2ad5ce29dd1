"""Command line: ``python -m service analyze FILE…`` and ``python -m service serve``."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.buffer.read().decode("utf-8-sig")
    return Path(name).read_bytes().decode("utf-8-sig")


def cmd_analyze(args) -> int:
    from . import analyze
    from .nlp import pipeline

    pipeline.load()
    status = 0
    for name in args.files:
        try:
            text = _read(name)
        except (OSError, UnicodeDecodeError) as e:
            print(f"{name}: {e}", file=sys.stderr)
            status = 1
            continue
        result = analyze(text, published=args.published, targets=args.target or None,
                         include=args.include or None)
        sys.stdout.write(json.dumps({"id": name, **result}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return status


def cmd_serve(args) -> int:
    """Replace this process with gunicorn running the project's config (workers, bind, logs)."""
    argv = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)]
    if args.bind:
        argv += ["--bind", args.bind]
    if args.workers:
        argv += ["--workers", str(args.workers)]
    argv.append("service:create_app()")
    os.chdir(ROOT)
    os.execv(sys.executable, argv)
    return 0  # not reached


def _date(s: str) -> str:
    import datetime as dt
    try:
        dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date as YYYY-MM-DD: {s!r}") from None
    return s


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m service",
                                description="Chinese news → quantities, entities and stances as JSON.")
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("analyze", help="print one JSON line per input file ('-' reads stdin)")
    a.add_argument("files", nargs="+", metavar="FILE")
    a.add_argument("--published", type=_date, help="the articles' date, YYYY-MM-DD")
    a.add_argument("--target", action="append", help="an author-stance target (repeatable)")
    a.add_argument("--include", action="append", choices=["quantities", "entities", "stances"],
                   help="a section to compute (repeatable; default all)")
    a.set_defaults(func=cmd_analyze)
    s = sub.add_parser("serve", help="start gunicorn with gunicorn.conf.py")
    s.add_argument("--bind", help="host:port (default 0.0.0.0:$PORT, PORT default 8000)")
    s.add_argument("--workers", type=int, help="worker processes (default $WEB_CONCURRENCY or the cores)")
    s.set_defaults(func=cmd_serve)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
