"""`summarize`: the command line.

    summarize FILE... [--format markdown|json|jsonl] [--explain] [--rules DIR]...
    summarize rules check|test|list|schema [DIR...]
    summarize explain FILE [--field NAME]
    summarize eval CORPUS_DIR

Exit status: 0 success; 1 an input could not be read (or a rule example failed);
2 usage or rule-file errors. Errors are one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Sequence

from .errors import EXIT_INPUT, EXIT_OK, EXIT_USAGE, RuleError

FORMATS = ("markdown", "json", "jsonl")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", action="append", default=[], metavar="DIR",
                   help="overlay rule directory (repeatable): adds, replaces (same id) or disables rules")
    p.add_argument("--no-shipped-rules", action="store_true",
                   help="use only the --rules directories, not the shipped rules")
    p.add_argument("--encoding", help="input encoding (default: detected)")
    p.add_argument("--input-format", choices=("text", "markdown", "html"),
                   help="input format (default: from the file extension)")


def load_engine(args: argparse.Namespace):
    from .config import overlay_dirs
    from .engine import Engine
    overlays = overlay_dirs(args.rules)
    if args.no_shipped_rules:
        if not overlays:
            raise RuleError([])
        return Engine.load(overlays[:1], overlays=overlays[1:])
    return Engine.load(overlays=overlays)


def _rule_error(e: RuleError) -> int:
    if not e.problems:
        print("summarize: error: --no-shipped-rules needs at least one --rules DIR", file=sys.stderr)
        return EXIT_USAGE
    for p in e.problems:
        print(p.with_caret(), file=sys.stderr)
    n = len(e.problems)
    print(f"summarize: {n} problem{'s' if n != 1 else ''} in rule files", file=sys.stderr)
    return EXIT_USAGE


def _expand_inputs(paths: Sequence[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p):
            for root, _dirs, files in os.walk(p):
                for f in sorted(files):
                    if f.lower().endswith((".txt", ".md", ".markdown", ".html", ".htm")):
                        out.append(os.path.join(root, f))
        else:
            out.append(p)
    return out


def cmd_summarize(argv: Sequence[str]) -> int:
    p = _Parser(prog="summarize", description="Summarise Chinese meeting reports.")
    p.add_argument("files", nargs="+", metavar="FILE", help="report files or directories, or - for stdin")
    p.add_argument("--format", "-f", choices=FORMATS, default="markdown")
    p.add_argument("--explain", action="store_true", help="add each value's evidence (rule, span, text)")
    p.add_argument("-o", "--output", help="write to this file (atomically) instead of stdout")
    _common(p)
    args = p.parse_args(argv)
    try:
        engine = load_engine(args)
    except RuleError as e:
        return _rule_error(e)
    from .reader import ReadError, read_path, read_stdin
    inputs = _expand_inputs(args.files)
    status = EXIT_OK
    out_chunks: list[str] = []
    fmt = args.format
    if fmt == "json" and len(inputs) > 1:
        fmt = "jsonl"
    for path in inputs:
        try:
            src = read_stdin(args.encoding, args.input_format) if path == "-" else \
                read_path(path, args.encoding, args.input_format)
        except ReadError as e:
            print(f"summarize: {e}", file=sys.stderr)
            status = EXIT_INPUT
            if fmt == "jsonl":
                out_chunks.append(json.dumps({"file": path, "error": str(e)}, ensure_ascii=False) + "\n")
            continue
        summary = engine.summarize_source(src)
        for w in summary.warnings:
            print(f"summarize: warning: {path}: {w}", file=sys.stderr)
        if summary.is_empty() and not summary.title:
            print(f"summarize: note: {path}: nothing to extract", file=sys.stderr)
        if fmt == "markdown":
            md = summary.to_markdown()
            out_chunks.append(md if len(inputs) == 1 else f"<!-- {path} -->\n{md}\n")
        elif fmt == "json":
            out_chunks.append(summary.to_json(args.explain) + "\n")
        else:
            d: dict[str, Any] = {"file": path}
            d.update(summary.to_dict(args.explain))
            out_chunks.append(json.dumps(d, ensure_ascii=False) + "\n")
        if not args.output:
            _write_stdout(out_chunks)
            out_chunks = []
    if args.output:
        _write_atomic(args.output, "".join(out_chunks))
    return status


def _write_stdout(chunks: list[str]) -> None:
    for c in chunks:
        sys.stdout.write(c)
    sys.stdout.flush()


def _write_atomic(path: str, data: str) -> None:
    import tempfile
    d = os.path.dirname(os.path.abspath(path)) or "."
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".summarize-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


SUBCOMMANDS: dict[str, Callable[[Sequence[str]], int]] = {}


def subcommand(name: str) -> Callable:
    def deco(fn: Callable[[Sequence[str]], int]) -> Callable[[Sequence[str]], int]:
        SUBCOMMANDS[name] = fn
        return fn
    return deco


def _dispatch(argv: Sequence[str]) -> int:
    from . import commands  # noqa: F401  (registers the subcommands)
    if argv and argv[0] in SUBCOMMANDS:
        return SUBCOMMANDS[argv[0]](argv[1:])
    return cmd_summarize(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(argv)
    except RuleError as e:
        return _rule_error(e)
    except BrokenPipeError:
        # the reader went away (| head): end quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        print("summarize: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # last resort: one line, never a traceback
        print(f"summarize: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        if os.environ.get("JIYAO_DEBUG"):
            raise
        return 3


if __name__ == "__main__":
    sys.exit(main())
