"""Subcommands of `summarize` beyond summarising: rules check/test/list/schema, explain, eval.

    summarize rules check  [DIR...]   validate rule files; every problem as file:line:col
    summarize rules test   [DIR...]   run the rules' examples and counter-examples
    summarize rules list   [DIR...]   the effective rule set after overlays
    summarize rules schema            JSON Schema of rule files (for editors)
    summarize schema                  JSON Schema of the summaries (--format json/jsonl/yaml)
    summarize explain FILE [--field NAME]
    summarize eval CORPUS_DIR [--show-errors N] [--json]

DIRs are overlay rule directories (or files), like ``--rules DIR``; the config file's
overlays come first. Exit status: 0 ok; 1 a rule example failed (rules test) or an input
could not be read; 2 usage or rule-file errors.
"""
from __future__ import annotations

import argparse
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Sequence

from .cliargs import Parser, common_options, load_engine, rule_error_status, seconds
from .errors import EXIT_INPUT, EXIT_OK, EXIT_USAGE, RuleError

RULES_ACTIONS = ("check", "test", "list", "schema")


def _rule_args(p: argparse.ArgumentParser, dirs: bool = True) -> None:
    if dirs:
        p.add_argument("dirs", nargs="*", metavar="DIR",
                       help="overlay rule directories or files (default: shipped rules + config overlays)")
    p.add_argument("--rules", action="append", default=[], metavar="DIR",
                   help="overlay rule directory (repeatable), same as a DIR argument")
    p.add_argument("--no-shipped-rules", action="store_true",
                   help="the first DIR is the base pack instead of the shipped rules")
    p.add_argument("--pattern-timeout", type=seconds, metavar="SECONDS",
                   help="time budget of one pattern over one document")


def _packs(args: argparse.Namespace) -> tuple[list[list[Path]], list[Path]]:
    """(packs, files of the explicitly given DIRs): shipped (unless --no-shipped-rules), then the
    config file's overlays, then DIRs and --rules in order. A DIR that is the shipped rules
    directory itself is the base, not an overlay of it."""
    from .config import overlay_dirs
    from .config import rule_files, shipped_rules_dir
    given = list(getattr(args, "dirs", []) or []) + list(args.rules)
    shipped = shipped_rules_dir()
    overlays = [d for d in overlay_dirs(given) if Path(d).resolve() != shipped.resolve()]
    packs: list[list[Path]] = []
    if args.no_shipped_rules:
        if not overlays:
            raise _Usage("--no-shipped-rules needs at least one rule DIR")
    else:
        packs.append(rule_files([shipped]))
    packs.extend(rule_files([Path(d)]) for d in overlays)
    explicit = [Path(d) for d in given if Path(d).resolve() != shipped.resolve()]
    explicit_files = rule_files(explicit) if explicit else []
    if not explicit and given:       # only the shipped directory was named
        explicit_files = rule_files([shipped])
    return packs, explicit_files


class _Usage(Exception):
    pass


def _engine(args: argparse.Namespace):
    """The engine of the effective rule set, from the disk cache of compiled rules that
    `summarize` uses (extractor/rulecache.py), with the same arguments as `summarize --rules`:
    checking, testing or listing unchanged rules compiles nothing, and the `summarize` run
    after a `rules check` of a changed overlay finds it compiled. Raises RuleError."""
    from . import rulecache
    from .config import overlay_dirs
    from .config import shipped_rules_dir
    given = list(getattr(args, "dirs", []) or []) + list(args.rules)
    shipped = shipped_rules_dir().resolve()
    overlays = [d for d in overlay_dirs(given) if Path(d).resolve() != shipped]
    timeout = getattr(args, "pattern_timeout", None)
    if args.no_shipped_rules:
        if not overlays:
            raise _Usage("--no-shipped-rules needs at least one rule DIR")
        return rulecache.load(overlays[:1], overlays=overlays[1:], timeout=timeout)
    return rulecache.load(overlays=overlays, timeout=timeout)


def _usage_error(prog: str, msg: str) -> int:
    print(f"{prog}: error: {msg}", file=sys.stderr)
    return EXIT_USAGE


# -- summarize rules ...  ----------------------------------------------------------------------

def cmd_rules(argv: Sequence[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.split("\n\n")[1] if __doc__ else "", file=sys.stdout if argv else sys.stderr)
        return EXIT_OK if argv else EXIT_USAGE
    action, rest = argv[0], list(argv[1:])
    if action not in RULES_ACTIONS:
        import difflib
        close = difflib.get_close_matches(action, RULES_ACTIONS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f" (one of {', '.join(RULES_ACTIONS)})"
        return _usage_error("summarize rules", f"unknown action '{action}'{hint}")
    fn = {"check": rules_check, "test": rules_test, "list": rules_list, "schema": rules_schema}[action]
    try:
        return fn(rest)
    except _Usage as e:
        return _usage_error(f"summarize rules {action}", str(e))


def rules_check(argv: Sequence[str]) -> int:
    p = Parser(prog="summarize rules check",
                description="Validate rule files: print every problem as file:line:col with the line and a caret.")
    _rule_args(p)
    args = p.parse_args(argv)
    packs, _ = _packs(args)
    nfiles = sum(len(pk) for pk in packs)
    try:
        book = _engine(args).book
    except RuleError as e:
        for prob in e.problems:
            print(prob.with_caret())
        n = len(e.problems)
        print(f"{n} problem{'s' if n != 1 else ''} in {len({q.file for q in e.problems})} of {nfiles} files")
        return EXIT_USAGE
    for label, where in _pack_dirs(packs, args.no_shipped_rules):
        print(f"{label}: {where}")
    print(f"{len(book.rules)} rules in {len(book.files)} files: ok")
    return EXIT_OK


def _pack_dirs(packs: list[list[Path]], no_shipped: bool) -> list[tuple[str, str]]:
    """Where each pack's files are, as ``rules list`` names the packs (shipped, overlay N):
    after ``pip install .`` the shipped rules are the installed copy, not a checkout's rules/."""
    out = []
    for i, files in enumerate(packs):
        label = f"overlay {i}" if i else "base" if no_shipped else "shipped"
        dirs = sorted({str(f.parent) for f in files})
        out.append((label, ", ".join(dirs) if dirs else "(no rule files)"))
    return out


def rules_test(argv: Sequence[str]) -> int:
    p = Parser(prog="summarize rules test",
                description="Run every rule's examples and counter-examples through the whole engine.")
    _rule_args(p)
    p.add_argument("--all", action="store_true",
                   help="with DIRs: test every rule of the effective set, not only the DIRs' rules")
    p.add_argument("--rule", action="append", default=[], metavar="ID",
                   help="only rules whose id matches (glob, repeatable)")
    p.add_argument("-v", "--verbose", action="store_true", help="also show the cases that passed")
    args = p.parse_args(argv)
    from .ruletest import cases, check
    packs, explicit = _packs(args)
    try:
        engine = _engine(args)
    except RuleError as e:
        return rule_error_status(e)
    rules = list(engine.book.rules)
    if explicit and not args.all:
        rules = [r for r in rules if _same_file(r.file, explicit)]
    if args.rule:
        rules = [r for r in rules if any(fnmatchcase(r.id, pat) for pat in args.rule)]
    rules.sort(key=lambda r: (r.file, r.line))
    skipped = [r for r in rules if not r.enabled]
    rules = [r for r in rules if r.enabled]
    rows: list[tuple[str, int, int, int, int, int]] = []
    failures: list[str] = []
    passes: list[str] = []
    todo_notes: list[str] = []
    untested: list[str] = []
    for rule in rules:
        cs = cases(rule)
        if not cs:
            untested.append(rule.id)
            continue
        ok = fp = miss = todo = 0
        for c in cs:
            o = check(engine, c)
            if c.todo:
                todo += 1
                if o.passed:
                    todo_notes.append(f"{o.message()}\n    (marked todo but passes now: remove the todo)")
                continue
            if o.passed:
                ok += 1
                if args.verbose:
                    passes.append(o.message())
            else:
                failures.append(o.message())
                if c.kind == "counter":
                    fp += 1
                else:
                    miss += 1
        rows.append((rule.id, len(cs), ok, fp, miss, todo))
    if rows:
        w = max(len(r[0]) for r in rows + [("rule", 0, 0, 0, 0, 0)])
        print(f"{'rule':<{w}}  {'cases':>5}  {'passed':>6}  {'false+':>6}  {'misses':>6}  {'todo':>4}")
        for rid, n, ok, fp, miss, todo in rows:
            print(f"{rid:<{w}}  {n:>5}  {ok:>6}  {fp:>6}  {miss:>6}  {todo:>4}")
    for block in passes + failures + todo_notes:
        print()
        print(block)
    if untested:
        print()
        print(f"{len(untested)} rule{'s' if len(untested) != 1 else ''} without examples: {', '.join(untested)}")
    if skipped:
        print(f"{len(skipped)} disabled rule{'s' if len(skipped) != 1 else ''} not tested: "
              f"{', '.join(r.id for r in skipped)}")
    ncases = sum(r[1] for r in rows)
    npass = sum(r[2] for r in rows)
    ntodo = sum(r[5] for r in rows)
    nfp, nmiss = sum(r[3] for r in rows), sum(r[4] for r in rows)
    print()
    status = "ok" if not failures else \
        f"{len(failures)} failed ({_n(nfp, 'false positive')}, {nmiss} miss{'' if nmiss == 1 else 'es'})"
    todo_txt = f", {ntodo} todo" if ntodo else ""
    print(f"{_n(ncases, 'case')} of {_n(len(rows), 'rule')}: {npass} passed{todo_txt}; {status}")
    return EXIT_INPUT if failures else EXIT_OK


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _same_file(name: str, files: list[Path]) -> bool:
    try:
        target = Path(name).resolve()
    except OSError:
        return False
    return any(f.resolve() == target for f in files)


def rules_list(argv: Sequence[str]) -> int:
    p = Parser(prog="summarize rules list", description="The effective rule set after overlays.")
    _rule_args(p)
    p.add_argument("--kind", action="append", default=[], help="only rules of this kind (repeatable)")
    p.add_argument("--json", action="store_true", help="one JSON object per rule")
    args = p.parse_args(argv)
    engine = _engine(args)   # a RuleError is reported by main()
    rules = list(engine.book.rules)
    if args.kind:
        rules = [r for r in rules if r.kind in args.kind]
    rules.sort(key=lambda r: (_pack_index(r.origin), r.file, r.line))
    rows = []
    for r in rules:
        rows.append({"id": r.id, "kind": r.kind, "stage": r.stage, "priority": r.priority,
                     "origin": r.origin, "where": r.where, "state": _state(r), "description": r.description})
    if args.json:
        import json
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    cols = ["id", "kind", "stage", "priority", "origin", "where", "state"]
    widths = {c: max([len(c)] + [len(str(row[c])) for row in rows]) for c in cols}
    print("  ".join(f"{c:<{widths[c]}}" for c in cols) + "  description")
    for row in rows:
        print("  ".join(f"{str(row[c]):<{widths[c]}}" for c in cols) + "  " + row["description"])
    n_off = sum(1 for r in rules if not r.enabled)
    print(f"{len(rules)} rules ({len(rules) - n_off} enabled, {n_off} disabled) from {len(engine.book.files)} files")
    return EXIT_OK


def _pack_index(origin: str) -> int:
    return 0 if origin == "shipped" else int(origin.split()[-1]) if origin.split()[-1].isdigit() else 99


def _state(r: Any) -> str:
    parts = []
    if not r.enabled:
        parts.append(f"disabled at {r.disabled_at}" if r.disabled_at else "disabled")
    else:
        parts.append("enabled")
    if r.overrides:
        parts.append(f"overrides {r.overrides}")
    return "; ".join(parts)


def rules_schema(argv: Sequence[str]) -> int:
    p = Parser(prog="summarize rules schema",
                description="Print the JSON Schema (draft 2020-12) of rule files.")
    p.parse_args(argv)
    import json

    from .schema import file_schema
    print(json.dumps(file_schema(), ensure_ascii=False, indent=2))
    return EXIT_OK


# -- summarize schema -------------------------------------------------------------------------

def cmd_schema(argv: Sequence[str]) -> int:
    p = Parser(prog="summarize schema",
                description="Print the JSON Schema (draft 2020-12) of a summary as data: what "
                            "--format json/jsonl/yaml print, with or without --explain "
                            "('summarize rules schema' is the schema of rule files).")
    _rule_args(p, dirs=False)
    args = p.parse_args(argv)
    import json

    from .output_schema import output_schema
    try:
        engine = _engine(args)   # the fields the effective rules declare; a RuleError is reported by main()
    except _Usage as e:
        return _usage_error("summarize schema", str(e))
    print(json.dumps(output_schema(engine.book.fields), ensure_ascii=False, indent=2))
    return EXIT_OK


# -- summarize explain ------------------------------------------------------------------------

def cmd_explain(argv: Sequence[str]) -> int:
    from .explain import explain, field_names, render_json, render_text
    p = Parser(prog="summarize explain",
                description="Show why each value is there: rule, span, text; rules fired, near misses, never fired.")
    p.add_argument("file", metavar="FILE", help="a report file, or - for stdin")
    p.add_argument("--field", metavar="NAME", help="only this field (one the rules declare), with every candidate")
    p.add_argument("--json", action="store_true", help="the explanation as JSON")
    common_options(p)
    args = p.parse_args(argv)
    engine = load_engine(args)   # a RuleError is reported by main()
    names = field_names(engine.book.fields)
    known = names + [f.name for f in engine.book.fields if f.name not in names]
    if args.field is not None and args.field not in known:
        import difflib
        close = difflib.get_close_matches(args.field, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f" (one of {', '.join(known)})"
        return _usage_error("summarize explain", f"unknown field '{args.field}'{hint}")
    from .source import ReadError, read_path, read_stdin
    try:
        src = read_stdin(args.encoding, args.input_format) if args.file == "-" else \
            read_path(args.file, args.encoding, args.input_format)
    except ReadError as e:
        print(f"summarize: {e}", file=sys.stderr)
        return EXIT_INPUT
    data = explain(engine, src.text, src, args.field)
    from .errors import printable
    sys.stdout.write(render_json(data) if args.json else render_text(data, printable(args.file)))
    return EXIT_OK


# -- summarize eval ----------------------------------------------------------------------------

def cmd_eval(argv: Sequence[str]) -> int:
    from .evaluate import CorpusError, load_gold, report, run_corpus, score, to_json
    p = Parser(prog="summarize eval",
                description="Score the engine against a gold corpus (CORPUS_DIR/gold.jsonl), in process, "
                            "and report what each rule did.")
    p.add_argument("corpus", metavar="CORPUS_DIR")
    p.add_argument("--show-errors", type=int, default=10, metavar="N", help="show the first N misses (default 10)")
    p.add_argument("--json", action="store_true", help="the full result as JSON")
    common_options(p)
    args = p.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"summarize: {corpus}: not a directory", file=sys.stderr)
        return EXIT_INPUT
    try:
        gold = load_gold(corpus)
    except CorpusError as e:
        print(f"summarize: {e}", file=sys.stderr)
        return EXIT_INPUT
    engine = load_engine(args)   # a RuleError is reported by main()
    run = run_corpus(engine, corpus, gold)
    res = score(gold, run.preds, engine.book.fields)
    for f, w in run.warnings:
        print(f"summarize: warning: {f}: {w}", file=sys.stderr)
    if args.json:
        sys.stdout.write(to_json(res, run, engine.book))
    else:
        sys.stdout.write(report(res, run, engine.book, max(args.show_errors, 0)))
    return EXIT_OK


COMMANDS = {"rules": cmd_rules, "schema": cmd_schema, "explain": cmd_explain, "eval": cmd_eval}
"""The subcommands by name (extractor/cli.py reads its list of names, ``SUBCOMMANDS``)."""
