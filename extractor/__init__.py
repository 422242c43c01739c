"""jiyao: a rule-based extractor that turns Chinese meeting reports into structured summaries.

    from extractor import Engine
    engine = Engine.load()                      # shipped rules, compiled once
    summary = engine.summarize(text)            # Summary: typed fields with evidence
    summary = engine.summarize_file("a.html")   # encoding and format detected
    summary.to_dict(); summary.to_markdown(); summary.to_json(explain=True)

The public API is what ``__all__`` lists, plus these modules:

* ``extractor.rulecache.load`` -- ``Engine.load`` with the disk cache the CLI uses;
* ``extractor.batch.summarize_many`` -- many files on all cores;
* ``extractor.dask_helpers`` -- the same on a Dask cluster;
* ``extractor.source`` -- ``read_path``, ``from_text``: decoding and markup stripping;
* ``extractor.report_html.to_html`` -- the ``--format html`` page.

Every other submodule is a stage of the engine or of the command line: internal, and free
to change between versions.
"""
from .engine import Engine
from .errors import Problem, RuleError
from .model import Evidence, Item, Person, Point, Summary, Value
from .source import ReadError, Source

__all__ = ["Engine", "Evidence", "Item", "Person", "Point", "Problem", "ReadError", "RuleError",
           "Source", "Summary", "Value", "__version__"]
__version__ = "0.1.0"
"""The version of the package (the one place it is written: pyproject.toml reads it here)."""
