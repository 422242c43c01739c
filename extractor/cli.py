"""`summarize`: the command line.

    summarize FILE... [--format markdown|json|jsonl|yaml|csv|csv-points|html] [--explain] [--rules DIR]...
    summarize schema
    summarize rules check|test|list|schema [DIR...]
    summarize explain FILE [--field NAME]
    summarize eval CORPUS_DIR

Exit status: 0 success; 1 an input could not be read, a directory held no report file, or
the output could not be written (or a rule example failed); 2 usage (an -o target that is a
directory or in a missing directory included) or rule-file errors; 3 internal error (a bug);
130 interrupted (Ctrl-C), 143 terminated (SIGTERM). Errors are one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys

from .errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, OutputError, RuleError, printable

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing costs ~4 ms of a one-file run
    from typing import Any, Callable, Iterable, Iterator, Sequence

FORMATS = ("markdown", "json", "jsonl", "yaml", "csv", "csv-points", "html", "parquet")
FORMAT_HELP = ("markdown (default): the summary as CommonMark with a table; json: one object "
               "('summarize schema' prints its JSON Schema); jsonl: one line per input; yaml: the "
               "json data as YAML; csv: the people table (document, part, name, roles); csv-points: "
               "the points table (document, number, marker, lead, speaker), --explain adds "
               "rule, start, end to both; html: one standalone page, the summary above the source "
               "text with every value's evidence highlighted (one input); parquet: two tables, -o OUT.parquet "
               "(reports) and OUT.people.parquet (people), directories of one file per partition "
               "with --dask (pip install 'jiyao[parquet]')")


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter with the terminal width found without importing shutil
    (argparse builds one for every argument; shutil costs ~3 ms of a ~90 ms start)."""
    return argparse.HelpFormatter(prog, width=_help_width())


def _help_width() -> int:
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            width = os.get_terminal_size(sys.stderr.fileno()).columns
        except (OSError, ValueError, AttributeError):
            width = 80
    return max(width - 2, 40)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _formatter)
        super().__init__(*args, **kwargs)

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
    p.add_argument("--pattern-timeout", type=_seconds, metavar="SECONDS",
                   help="time budget of one pattern over one document (default: settings engine.pattern_timeout)")


def _seconds(s: str) -> float:
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


def _rule_error(e: RuleError) -> int:
    if not e.problems:
        print("summarize: error: --no-shipped-rules needs at least one --rules DIR", file=sys.stderr)
        return EXIT_USAGE
    for p in e.problems:
        print(p.with_caret(), file=sys.stderr)
    n = len(e.problems)
    print(f"summarize: {n} problem{'s' if n != 1 else ''} in rule files", file=sys.stderr)
    return EXIT_USAGE


def _positive(what: str):
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


_jobs = _positive("jobs")
_files = _positive("files")


def _size(s: str) -> int:
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


def _check_output(p: argparse.ArgumentParser, path: str) -> None:
    """An ``-o`` target that cannot be written is a usage error before any work is done."""
    name = printable(path)
    if os.path.isdir(path):
        p.error(f"-o {name}: is a directory")
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        p.error(f"-o {name}: no such directory {printable(d)}")
    if not os.access(d, os.W_OK | os.X_OK):
        p.error(f"-o {name}: cannot write in {printable(d)}")


INPUT_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")


def iter_inputs(paths: Iterable[str], empty: list[str] | None = None) -> Iterator[str]:
    """The files named by ``paths``, one at a time: directories walked (their report files,
    sorted within each directory), URLs with globs or naming a directory listed through
    fsspec (``s3://bucket/2024/*.txt``), anything else as given.  A directory that holds
    no report file is added to ``empty``."""
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = False
            for root, _dirs, files in os.walk(p):
                for f in sorted(files):
                    if f.lower().endswith(INPUT_EXTENSIONS):
                        found = True
                        yield os.path.join(root, f)
            if not found and empty is not None:
                empty.append(p)
        elif "://" in p:
            from .source import is_url
            yield from (_expand_url(p) if is_url(p) else (p,))
        else:
            yield p


def _expand_url(url: str) -> list[str]:
    """A URL's files: a glob expanded, a directory listed (report files, sorted); the URL
    itself when fsspec is missing or lists nothing (reading it then says why)."""
    try:
        import fsspec.core
        fs, _token, paths = fsspec.core.get_fs_token_paths(url)
    except Exception:
        return [url]
    glob = any(c in url for c in "*?[")
    out: list[str] = []
    for p in sorted(paths):
        try:
            if fs.isdir(p):
                out.extend(fs.unstrip_protocol(f) for f in sorted(fs.find(p))
                           if f.lower().endswith(INPUT_EXTENSIONS))
                continue
        except Exception:
            pass
        out.append(fs.unstrip_protocol(p) if glob else url)  # a file's URL stays as given
    return out or [url]


def _expand_inputs(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the files to read, the directories that held no report file)."""
    empty: list[str] = []
    return list(iter_inputs(paths, empty)), empty


def _no_reports(empty: Sequence[str]) -> None:
    for d in empty:
        print(f"summarize: no report files in {printable(d)} ({', '.join(INPUT_EXTENSIONS)})", file=sys.stderr)


EPILOG = """subcommands (each has --help):
  summarize rules check|test|list|schema [DIR...]   check, test or list rules (overlays as DIR)
  summarize schema                                  JSON Schema of --format json/jsonl/yaml
  summarize explain FILE [--field NAME]             why each value is there
  summarize eval CORPUS_DIR                         score against a gold corpus

exit status: 0 ok; 1 an input could not be read, a directory held no report file, or the
output could not be written; 2 usage (an -o target that cannot be written) or rule-file errors;
3 internal error (a bug); 130 interrupted; 143 terminated (SIGTERM)"""

EXPLAIN_FORMATS = ("json", "jsonl", "yaml", "csv", "csv-points", "html")
"""Formats that show --explain's evidence (html always highlights it)."""


def _raw_formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, width=_help_width())  # epilog kept as written


def usage_hint() -> str:
    return ("usage: summarize FILE... [--format FORMAT] [--explain] [-o FILE]\n"
            "       summarize rules|schema|explain|eval ...\n"
            "summarize: error: no input: give report files or directories, or - for stdin "
            "(summarize --help for more)\n")


def version() -> str:
    from . import __version__
    return f"summarize (jiyao) {__version__}"


def cmd_summarize(argv: Sequence[str]) -> int:
    if not argv:
        sys.stderr.write(usage_hint())
        return EXIT_USAGE
    p = _Parser(prog="summarize", description="Summarise Chinese meeting reports.", epilog=EPILOG,
                formatter_class=_raw_formatter)
    p.add_argument("files", nargs="+", metavar="FILE", help="report files or directories, or - for stdin")
    p.add_argument("--version", action="version", version=version())
    p.add_argument("--format", "-f", choices=FORMATS, default="markdown", help=FORMAT_HELP)
    p.add_argument("--explain", action="store_true",
                   help="add each value's evidence (rule, span, text) to json, jsonl, yaml, csv and "
                        "csv-points (html always shows it; with markdown it is an error)")
    p.add_argument("--show-markup", action="store_true",
                   help="--format html of Markdown or HTML input: show the file's markup as the source "
                        "text (default: the text as read)")
    p.add_argument("-o", "--output", help="write to this file (atomically) instead of stdout")
    p.add_argument("--jobs", "-j", type=_jobs, default=os.cpu_count() or 1, metavar="N",
                   help="processes summarising several files at once (default: all cores; 1: no workers)")
    p.add_argument("--dask", metavar="ADDRESS", help="summarise on a Dask cluster: 'local' (--jobs one-thread worker processes) "
                        "or a scheduler address")
    p.add_argument("--partition-size", type=_files, metavar="N",
                   help="with --dask: files per task (default 200; docs/scale.md)")
    p.add_argument("--max-size", type=_size, metavar="SIZE",
                   help="larger inputs are an error, not read (bytes, or 50M, 200K, 1G; 0: no limit; default 50M)")
    _common(p)
    args = p.parse_args(argv)
    if args.format == "parquet":
        from .tables import usage_problem
        problem = usage_problem(args.output, args.explain, partitioned=bool(args.dask))
        if problem:
            p.error(problem)
    if args.explain and args.format not in EXPLAIN_FORMATS:
        p.error(f"--explain has no place in --format {args.format} (CommonMark has no footnotes): "
                "use --format json, yaml, csv or html (evidence highlighted), or 'summarize explain FILE'")
    if args.show_markup and args.format != "html":
        p.error("--show-markup goes with --format html")
    if args.output:
        _check_output(p, args.output)
    engine = load_engine(args)   # a RuleError is reported by main()
    from .source import MAX_BYTES, ReadError, read_path, read_stdin
    cap = MAX_BYTES if args.max_size is None else args.max_size
    if args.dask:  # a stream: inputs listed as they are needed (extractor/dask_helpers.py)
        return _dask_stream(p, args, engine)
    inputs, empty = _expand_inputs(args.files)
    _no_reports(empty)
    if not inputs:
        return EXIT_INPUT
    status = EXIT_INPUT if empty else EXIT_OK
    out_chunks: list[str] = []
    fmt = args.format
    if fmt == "json" and len(inputs) > 1:
        fmt = "jsonl"
    if fmt == "html" and (len(inputs) > 1 or args.dask):
        p.error("--format html makes the page of one input (without --dask)")
    if len(inputs) > 1 or fmt == "parquet":  # batches: in order, in parallel (extractor/batch.py)
        from .batch import run_cli
        return run_cli(args, engine, inputs, fmt) or status
    for path in inputs:  # one input (several go to run_cli above)
        name = printable(path)  # how output and messages name it: valid UTF-8, one line
        try:
            src = read_stdin(args.encoding, args.input_format, cap) if path == "-" else \
                read_path(path, args.encoding, args.input_format, cap)
        except ReadError as e:
            print(f"summarize: {printable(str(e))}", file=sys.stderr)
            status = EXIT_INPUT
            if fmt == "jsonl":
                import json
                out_chunks.append(json.dumps({"file": name, "error": printable(str(e))}, ensure_ascii=False) + "\n")
            continue
        summary = engine.summarize_source(src)
        for w in summary.warnings:
            print(f"summarize: warning: {name}: {printable(str(w))}", file=sys.stderr)
        if summary.is_empty() and not summary.title:
            print(f"summarize: note: {name}: nothing to extract", file=sys.stderr)
        if fmt == "markdown":
            out_chunks.append(summary.to_markdown())
        elif fmt == "json":
            out_chunks.append(summary.to_json(args.explain) + "\n")
        elif fmt == "html":
            from .report_html import to_html
            out_chunks.append(to_html(summary, src, name=name, markup=args.show_markup))
        elif fmt in ("yaml", "csv", "csv-points"):  # extractor/formats.py
            from .formats import record
            out_chunks.append(record(fmt, name, summary.to_dict(args.explain), summary.labels,
                                     explain=args.explain, fields=summary.field_specs()))
        else:
            import json
            d: dict[str, Any] = {"file": name}
            d.update(summary.to_dict(args.explain))
            out_chunks.append(json.dumps(d, ensure_ascii=False) + "\n")
        if not args.output:
            _write_stdout(out_chunks)
            out_chunks = []
    if args.output:
        _write_atomic(args.output, "".join(out_chunks))
    return status


def _dask_stream(p: argparse.ArgumentParser, args: argparse.Namespace, engine: Any) -> int:
    """``--dask``: the inputs as a stream (listed as the cluster needs them), written by run_cli."""
    from itertools import chain, islice

    from .batch import run_cli
    if args.format == "html":
        p.error("--format html makes the page of one input (without --dask)")
    empty: list[str] = []
    stream = iter_inputs(args.files, empty)
    head = list(islice(stream, 2))
    if not head:
        _no_reports(empty)
        return EXIT_INPUT
    fmt = "jsonl" if args.format == "json" and len(head) > 1 else args.format
    status = run_cli(args, engine, chain(head, stream), fmt, multi=len(head) > 1)
    _no_reports(empty)
    return status or (EXIT_INPUT if empty else EXIT_OK)


def _write_stdout(chunks: list[str]) -> None:
    for c in chunks:
        sys.stdout.write(c)
    sys.stdout.flush()


def _write_atomic(path: str, data: str) -> None:
    import tempfile
    d = os.path.dirname(os.path.abspath(path)) or "."
    try:
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".summarize-", suffix=".tmp")
    except OSError as e:
        raise OutputError(path, e) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        umask_mode(tmp)  # mkstemp makes it 0600: give it the mode a plain open() would
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(path, e) from None
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
    from . import subcommands  # noqa: F401  (registers the subcommands)
    if argv and argv[0] in SUBCOMMANDS:
        return SUBCOMMANDS[argv[0]](argv[1:])
    return cmd_summarize(argv)


def umask_mode(path: str) -> None:
    """Give a file made by ``mkstemp`` (mode 0600) the mode a plain ``open()`` gives: 0666 less the umask."""
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(path, 0o666 & ~mask)
    except OSError:
        pass


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread by the handler the command installs for its own
    process: handled like Ctrl-C (workers stopped, a half-written ``-o`` file removed)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the command owns its process (not when called from Python)
        import signal
        try:
            signal.signal(signal.SIGTERM, _on_sigterm)
        except (ValueError, AttributeError, OSError):  # not the main thread, or no SIGTERM
            pass
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(argv)
    except RuleError as e:
        return _rule_error(e)
    except OutputError as e:
        print(f"summarize: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        # the reader went away (| head): end quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except Terminated:
        print("summarize: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("summarize: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # last resort: one line, never a traceback
        print(printable(f"summarize: internal error: {type(e).__name__}: {e}"), file=sys.stderr)
        if os.environ.get("JIYAO_DEBUG"):
            raise
        return EXIT_INTERNAL


if __name__ == "__main__":
    # run as the package's module, so that subcommands register where main() looks for them
    from extractor.cli import main as _main
    sys.exit(_main())
