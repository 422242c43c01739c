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

This module is ``summarize FILE...`` itself (one input here, several through
:func:`run_cli`); the other subcommands are in extractor/subcommands.py, the arguments
and engine loading they share in extractor/cliargs.py.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Iterable, Sequence

from .cliargs import (Parser, common_options, help_width, load_engine, positive_files, positive_jobs,
                      rule_error_status, size, umask_mode)
from .errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, OutputError, RuleError, printable

SUBCOMMANDS = ("rules", "schema", "explain", "eval")
"""The first arguments that name a subcommand (extractor/subcommands.py) instead of a file."""

FORMATS = ("markdown", "json", "jsonl", "yaml", "csv", "csv-points", "html", "parquet")
FORMAT_HELP = ("markdown (default): the summary as CommonMark with a table; json: one object "
               "('summarize schema' prints its JSON Schema); jsonl: one line per input; yaml: the "
               "json data as YAML; csv: the people table (document, part, name, roles); csv-points: "
               "the points table (document, number, marker, lead, speaker), --explain adds "
               "rule, start, end to both; html: one standalone page, the summary above the source "
               "text with every value's evidence highlighted (one input); parquet: two tables, -o OUT.parquet "
               "(reports) and OUT.people.parquet (people), directories of one file per partition "
               "with --dask (pip install 'jiyao[parquet]')")


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


def _expand_inputs(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the files to read, the directories that held no report file)."""
    from .source import iter_inputs
    empty: list[str] = []
    return list(iter_inputs(paths, empty)), empty


def _no_reports(empty: Sequence[str]) -> None:
    from .source import INPUT_EXTENSIONS
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
    return argparse.RawDescriptionHelpFormatter(prog, width=help_width())  # epilog kept as written


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
    p = Parser(prog="summarize", description="Summarise Chinese meeting reports.", epilog=EPILOG,
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
    p.add_argument("--jobs", "-j", type=positive_jobs, default=os.cpu_count() or 1, metavar="N",
                   help="processes summarising several files at once (default: all cores; 1: no workers)")
    p.add_argument("--dask", metavar="ADDRESS", help="summarise on a Dask cluster: 'local' (--jobs one-thread worker processes) "
                        "or a scheduler address")
    p.add_argument("--partition-size", type=positive_files, metavar="N",
                   help="with --dask: files per task (default 200; docs/scale.md)")
    p.add_argument("--max-size", type=size, metavar="SIZE",
                   help="larger inputs are an error, not read (bytes, or 50M, 200K, 1G; 0: no limit; default 50M)")
    common_options(p)
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
        elif fmt in ("yaml", "csv", "csv-points"):  # extractor/tables.py
            from .tables import record
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

    from .source import iter_inputs
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
    """Write ``data`` to ``path`` all at once, as the batch path does (:class:`AtomicOutput`)."""
    out = AtomicOutput(path)
    try:
        out.write(data)
        out.commit()
    finally:
        out.discard()


def _dispatch(argv: Sequence[str]) -> int:
    if argv and argv[0] in SUBCOMMANDS:
        from .subcommands import COMMANDS   # only when one is named: a one-file run does without
        return COMMANDS[argv[0]](argv[1:])
    return cmd_summarize(argv)


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
        return rule_error_status(e)
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


class AtomicOutput:
    """Text written to a temporary file next to ``path``, renamed over it by :meth:`commit`;
    :meth:`discard` (or an exception) leaves no temporary file behind."""

    def __init__(self, path: str):
        import tempfile

        from .errors import OutputError
        self.path = path
        d = os.path.dirname(os.path.abspath(path)) or "."
        try:
            fd, self.tmp = tempfile.mkstemp(dir=d, prefix=".summarize-", suffix=".tmp")
        except OSError as e:
            raise OutputError(path, e) from None
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write(self, s: str) -> None:
        from .errors import OutputError
        try:
            self.fh.write(s)
        except OSError as e:
            raise OutputError(self.path, e) from None

    def commit(self) -> None:
        from .errors import OutputError
        try:
            self.fh.close()
            umask_mode(self.tmp)  # mkstemp makes the file 0600; give it the mode a plain open() would
            os.replace(self.tmp, self.path)
        except OSError as e:
            raise OutputError(self.path, e) from None
        self.tmp = None

    def discard(self) -> None:
        if self.tmp is not None:
            try:
                self.fh.close()
            except OSError:
                pass
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


def run_cli(args: Any, engine: Any, inputs: Iterable[str], fmt: str, multi: bool | None = None) -> int:
    """Summarise ``inputs`` for ``cmd_summarize`` (several files, or ``--dask``) and write
    the output exactly as the one-file path does; returns the exit status.  With ``--dask``
    ``inputs`` may be an iterator (a stream: ``multi`` then says whether there are several)."""
    import json

    from .batch import FileResult, Options, iter_results
    from .errors import EXIT_INPUT, EXIT_OK, printable
    from .progress import Progress

    from .tables import FORMATS as DICT_FORMATS, error_record, record  # yaml, csv, csv-points
    render = fmt if fmt in ("markdown", "jsonl") else "dict" if fmt in DICT_FORMATS + ("parquet",) else "json"
    csv_header = True  # CSV: one header row, before the first file's rows
    opts = Options(render, bool(args.explain), args.encoding, args.input_format,
                   _cap(getattr(args, "max_size", None)))
    dask = None
    if getattr(args, "dask", None):
        from .dask_helpers import DaskRun, DaskUsageError
        try:
            dask = DaskRun(args.dask, engine, opts, partition_size=getattr(args, "partition_size", None),
                           local_workers=getattr(args, "jobs", None))
        except DaskUsageError as e:
            from .errors import EXIT_USAGE
            print(f"summarize: error: {e}", file=sys.stderr)
            return EXIT_USAGE
        total = _count_for_progress(args.files) if not isinstance(inputs, Sequence) else len(inputs)
        results: Iterable[FileResult] = dask.results(inputs)
    else:
        inputs = list(inputs)
        total = len(inputs)
        results = iter_results(inputs, engine, jobs=getattr(args, "jobs", None), opts=opts)
    if multi is None:
        multi = total > 1
    status = EXIT_OK
    table = None
    if fmt == "parquet":  # extractor/tables.py: two tables, one file each or one per partition
        from .tables import ParquetOutput
        table = ParquetOutput(args.output, rows_per_file=dask.partition_size if dask else None,
                              fields=engine.book.fields)
    out = AtomicOutput(args.output) if args.output and table is None else None
    stdout_tty = out is None and _isatty(sys.stdout)
    bar = Progress(total)
    try:
        for r in results:
            msgs: list[str] = []
            chunk = ""
            name = printable(r.path)  # what the output calls the file: valid UTF-8, one line
            if r.error is not None:
                error = printable(r.error)
                msgs.append(f"summarize: {error}")
                status = max(status, EXIT_INTERNAL if r.internal else EXIT_INPUT)
                if table is not None:
                    table.add(name, None, error)
                elif fmt == "jsonl":
                    chunk = json.dumps({"file": name, "error": error}, ensure_ascii=False) + "\n"
                elif fmt in DICT_FORMATS:
                    chunk = error_record(fmt, name, error) if multi else ""
            else:
                msgs.extend(f"summarize: warning: {name}: {printable(str(w))}" for w in r.warnings)
                if r.empty:
                    msgs.append(f"summarize: note: {name}: nothing to extract")
                if table is not None:
                    table.add(name, r.value)
                elif fmt == "markdown":
                    chunk = f"{markdown_comment(name)}\n{r.value}\n" if multi else r.value
                elif fmt == "json":
                    chunk = r.value + "\n"
                elif fmt in DICT_FORMATS:
                    chunk = record(fmt, name, r.value, engine.book.labels, first=csv_header,
                                   multi=multi, explain=bool(args.explain), fields=engine.book.fields)
                    csv_header = False
                else:
                    chunk = r.value
            if msgs or (chunk and stdout_tty):
                bar.clear()
            for m in msgs:
                print(m, file=sys.stderr)
            if chunk:
                if out is not None:
                    out.write(chunk)
                else:
                    sys.stdout.write(chunk)
                    sys.stdout.flush()
            bar.update()
        bar.close()
        if out is not None:
            out.commit()
        if table is not None:
            table.commit()
    finally:
        bar.clear()
        if out is not None:
            out.discard()
        if table is not None:
            table.discard()
        close = getattr(results, "close", None)
        if close is not None:
            close()
        if dask is not None:
            dask.close()
    return status


def _count_for_progress(files: Sequence[str]) -> int:
    """How many inputs a --dask stream has, counted (a second listing) only when a
    progress bar will be drawn; 0 otherwise."""
    from .progress import MIN_FILES, wanted
    if not wanted(MIN_FILES):
        return 0
    from .source import iter_inputs
    return sum(1 for _ in iter_inputs(files))


def markdown_comment(name: str) -> str:
    """``<!-- name -->`` for the Markdown of several inputs; a name (already one line) cannot
    close the comment: every ``-`` before another ``-`` is followed by a backslash and ``>``
    is written ``&gt;``."""
    import re
    return "<!-- " + re.sub(r"-(?=-)", "-\\\\", name).replace(">", "&gt;") + " -->"


def _cap(max_size: Any) -> int | None:
    """Options.max_bytes from the CLI's ``--max-size`` (None: not given, the default cap)."""
    return -1 if max_size is None else max_size


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


if __name__ == "__main__":
    sys.exit(main())
