"""Command-line arguments shared by ``summarize`` and its subcommands, and loading the engine they name."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .errors import EXIT_USAGE, RuleError


def formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter with the terminal width found without importing shutil
    (argparse builds one for every argument; shutil costs ~3 ms of a ~90 ms start)."""
    return argparse.HelpFormatter(prog, width=help_width())


def help_width() -> int:
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            width = os.get_terminal_size(sys.stderr.fileno()).columns
        except (OSError, ValueError, AttributeError):
            width = 80
    return max(width - 2, 40)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", action="append", default=[], metavar="DIR",
                   help="overlay rule directory (repeatable): adds, replaces (same id) or disables rules")
    p.add_argument("--no-shipped-rules", action="store_true",
                   help="use only the --rules directories, not the shipped rules")
    p.add_argument("--encoding", help="input encoding (default: detected)")
    p.add_argument("--input-format", choices=("text", "markdown", "html"),
                   help="input format (default: from the file extension)")
    p.add_argument("--pattern-timeout", type=seconds, metavar="SECONDS",
                   help="time budget of one pattern over one document (default: settings engine.pattern_timeout)")


def seconds(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        v = -1.0
    if not v > 0 or v != v or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {s!r}")
    return v


def load_engine(args: argparse.Namespace):
    from .config import overlay_dirs
    from . import rulecache  # Engine.load with a disk cache of compiled rules
    overlays = overlay_dirs(args.rules)
    timeout = getattr(args, "pattern_timeout", None)
    if args.no_shipped_rules:
        if not overlays:
            raise RuleError([])
        return rulecache.load(overlays[:1], overlays=overlays[1:], timeout=timeout)
    return rulecache.load(overlays=overlays, timeout=timeout)


def rule_error_status(e: RuleError) -> int:
    if not e.problems:
        print("summarize: error: --no-shipped-rules needs at least one --rules DIR", file=sys.stderr)
        return EXIT_USAGE
    for p in e.problems:
        print(p.with_caret(), file=sys.stderr)
    n = len(e.problems)
    print(f"summarize: {n} problem{'s' if n != 1 else ''} in rule files", file=sys.stderr)
    return EXIT_USAGE


def positive(what: str):
    """An argparse type: a whole number of at least 1 (``what`` names it in the error)."""
    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            v = 0
        if v < 1:
            raise argparse.ArgumentTypeError(f"expected a positive number of {what}, got {s!r}")
        return v
    return parse


positive_jobs = positive("jobs")


positive_files = positive("files")


def size(s: str) -> int:
    """``--max-size``: bytes, or a number with K, M or G (powers of 1024); 0 is no limit."""
    t = s.strip().upper().removesuffix("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(t[-1:], 1)
    try:
        v = float(t[:-1] if mult > 1 else t) * mult
    except ValueError:
        v = -1.0
    if not 0 <= v < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a size such as 50M, 200K or 0 (no limit), got {s!r}")
    return int(v)


def umask_mode(path: str) -> None:
    """Give a file made by ``mkstemp`` (mode 0600) the mode a plain ``open()`` gives: 0666 less the umask."""
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(path, 0o666 & ~mask)
    except OSError:
        pass
