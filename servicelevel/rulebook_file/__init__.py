"""Rulebook files: a region's decision as a YAML file (docs/rulebooks.md).

`parse(text, filename)` gives a `RulebookFile` or raises `RulebookRefused` with every problem as
`FILE:LINE: key: message`; `dump(rulebook)` writes a file `parse` reads back to an equal record.
Pure Python: loading a file into the database is another step's work.
"""

from .dump import as_data, dump
from .nodes import key_line
from .parse import parse
from .problems import Problem, RulebookRefused
from .shapes import (
    Catalogue,
    Channel,
    Decision,
    Group,
    Ladder,
    Profile,
    Region,
    Requirement,
    RulebookFile,
    Service,
    Template,
)

__all__ = [
    "as_data",
    "Catalogue",
    "Channel",
    "Decision",
    "Group",
    "Ladder",
    "Problem",
    "Profile",
    "Region",
    "Requirement",
    "RulebookFile",
    "RulebookRefused",
    "Service",
    "Template",
    "dump",
    "key_line",
    "parse",
]
