"""Subcommands of `summarize` beyond summarising: rules check/test/list/schema, explain, eval."""
from __future__ import annotations

import sys
from typing import Sequence

from .cli import _Parser, _common, _rule_error, load_engine, subcommand
from .errors import EXIT_OK, RuleError
