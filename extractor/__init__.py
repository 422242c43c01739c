"""jiyao: a rule-based extractor that turns Chinese meeting reports into structured summaries.

    from extractor import Engine
    engine = Engine.load()                 # shipped rules, compiled once
    summary = engine.summarize(text)       # Summary: typed fields with evidence
    summary.to_dict(); summary.to_markdown()
"""
from .engine import Engine
from .errors import Problem, RuleError
from .model import Evidence, Item, Person, Point, Summary, Value

__all__ = ["Engine", "Evidence", "Item", "Person", "Point", "Problem", "RuleError", "Summary", "Value"]
__version__ = "0.1.0"
