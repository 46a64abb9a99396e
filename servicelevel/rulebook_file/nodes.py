"""Reading YAML nodes with their line numbers, collecting every problem instead of stopping at the first.

The text is composed (`yaml.compose` with the safe loader), never loaded: the nodes keep the line each
value stands on, and a duplicate key, which PyYAML's loader would silently overwrite, is still there
to be refused. Only plain values are built (text, numbers, booleans, null, dates); any other tag is
refused, so no `!!python` object is ever made.
"""

from __future__ import annotations

import datetime
import difflib
import unicodedata

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from servicelevel.dates import YEARS_TEXT, InvalidDay, in_bounds, parse_day

from .problems import Problem

MAX_CHARACTERS = 1_000_000  # a rulebook is a few hundred lines; a bigger file is the wrong file

_TAG = "tag:yaml.org,2002:"
MAP, SEQ, STR = _TAG + "map", _TAG + "seq", _TAG + "str"
_PLAIN_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}

SYNTAX_KEY = "YAML"

# Control characters and line or paragraph separators: YAML folds or drops them, so a text holding one
# would not read back as written, and a name is one line anyway.
_BREAKS = {"Cc", "Zl", "Zp"}

# PyYAML's words for the usual slips, in Swedish; anything else is shown as PyYAML says it.
_SYNTAX = (
    ("mapping values are not allowed here", "ett kolon där inget värde får börja (saknas citattecken?)"),
    ("could not find expected ':'", "kolon saknas efter en nyckel"),
    ("found character '\\t' that cannot start any token", "tabbtecken får inte användas för indrag"),
    ("expected <block end>", "fel indrag"),
    ("found undefined alias", "okänt alias (*namn utan &namn)"),
    ("but found another document", "filen får bara innehålla ett YAML-dokument"),
    ("found unexpected end of stream", "filen tar slut mitt i ett värde (saknas ett citattecken?)"),
    (
        "expected ',' or '}'",
        "komma eller } saknas i en {…}-mappning (skriv text med ?, : eller # inom citattecken)",
    ),
    (
        "expected ',' or ']'",
        "komma eller ] saknas i en […]-lista (skriv text med ?, : eller # inom citattecken)",
    ),
    ("found duplicate anchor", "samma ankare (&namn) två gånger"),
)


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def compose(text: str) -> tuple[Node | None, list[Problem]]:
    """The document's root node, or the syntax problem that stops reading (the only kind that does)."""
    if len(text) > MAX_CHARACTERS:
        return None, [Problem(1, SYNTAX_KEY, f"filen är för stor (högst {MAX_CHARACTERS} tecken)")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(line, SYNTAX_KEY, "felaktig YAML: " + _syntax_words(error.problem or ""))]
    except yaml.YAMLError as error:  # the reader's: a character YAML does not allow
        position = getattr(error, "position", 0) or 0
        line = text.count("\n", 0, position) + 1
        return None, [Problem(line, SYNTAX_KEY, "felaktig YAML: otillåtet tecken i filen")]
    if root is None:
        return None, [Problem(1, SYNTAX_KEY, "filen är tom")]
    return root, []


def _syntax_words(problem: str) -> str:
    return next((words for start, words in _SYNTAX if problem.startswith(start)), problem)


class Reader:
    """Reads values from nodes; every problem is kept in `problems` and the value is then None."""

    def __init__(self):
        self.problems: list[Problem] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def add(self, at: Node | int, key: str, message: str) -> None:
        line = at if isinstance(at, int) else line_of(at)
        self.problems.append(Problem(line, key, message))

    # -- structure -----------------------------------------------------------------------------------

    def entries(self, node: MappingNode, key: str) -> dict[str, tuple[Node, Node]]:
        """Each key's text → (key node, value node), in the file's order; a key written twice is a
        problem (the first is kept). Keys are read as written, so `no:` is the text "no"."""
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.add(key_node, key, "en nyckel ska vara text")
                continue
            name = key_node.value
            if name in found:
                first = line_of(found[name][0])
                self.add(key_node, join(key, name), f"nyckeln står redan på rad {first}")
                continue
            found[name] = (key_node, value_node)
        return found

    def mapping(self, node: Node, key: str, keys: dict[str, bool]) -> dict[str, Node] | None:
        """The value nodes of a mapping of known keys (`keys`: name → required); unknown and missing
        keys are problems."""
        if not self.is_mapping(node, key):
            return None
        values = {}
        for name, (key_node, value_node) in self.entries(node, key).items():
            if name not in keys:
                self.add(key_node, join(key, name), unknown_key(name, keys))
            else:
                values[name] = value_node
        for name, required in keys.items():
            if required and name not in values:
                self.add(node, join(key, name), "nyckeln saknas")
        return values

    def is_mapping(self, node: Node, key: str) -> bool:
        if isinstance(node, MappingNode) and node.tag == MAP:
            return True
        self.add(node, key, "ska vara en mappning (nyckel: värde)")
        return False

    def sequence(self, node: Node, key: str) -> list[Node] | None:
        if isinstance(node, SequenceNode) and node.tag == SEQ:
            return list(node.value)
        if self.is_null(node):
            return []
        self.add(node, key, "ska vara en lista")
        return None

    # -- values --------------------------------------------------------------------------------------

    def plain(self, node: Node, key: str):
        """The Python value of a node made of plain values only (None when it cannot be built)."""
        bad = self._bad_tag(node)
        if bad is not None:
            tag = bad.tag.replace(_TAG, "!!", 1)
            self.add(bad, key, f"YAML-taggen {tag} används inte i regelboksfiler")
            return None
        try:
            return self._constructor.construct_object(node, deep=True)
        except Exception:  # PyYAML's builders fail in many ways (`!!bool x`: KeyError); all mean unreadable
            self.add(node, key, _unbuildable(node))
            return None

    def _bad_tag(self, node: Node, seen: set | None = None) -> Node | None:
        seen = set() if seen is None else seen
        if id(node) in seen:  # an alias back to a node being read
            return None
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            return None if node.tag in _PLAIN_TAGS else node
        if isinstance(node, SequenceNode):
            children = node.value
        else:
            children = [part for pair in node.value for part in pair]
        if node.tag not in (SEQ, MAP):
            return node
        return next((bad for child in children if (bad := self._bad_tag(child, seen)) is not None), None)

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag == _TAG + "null"

    def text(self, node: Node, key: str, *, max_length: int, optional: bool = False) -> str | None:
        if self.is_null(node):
            if not optional:
                self.add(node, key, "saknar värde")
            return None
        value = self.plain(node, key) if isinstance(node, ScalarNode) else node
        if isinstance(node, ScalarNode) and value is None:
            return None  # told already (a tag)
        if not isinstance(value, str):
            hint = f'; skriv den inom citattecken: "{node.value}"' if isinstance(node, ScalarNode) else ""
            self.add(node, key, "ska vara text" + hint)
            return None
        value = value.strip()
        if not value:
            self.add(node, key, "får inte vara tom")
        elif any(unicodedata.category(c) in _BREAKS for c in value):
            self.add(node, key, "får inte innehålla radbrytningar, tabbtecken eller andra styrtecken")
        elif len(value) > max_length:
            self.add(node, key, f"högst {max_length} tecken (är {len(value)})")
        else:
            return value
        return None

    def boolean(self, node: Node, key: str) -> bool | None:
        value = self.plain(node, key)
        if isinstance(value, bool):
            return value
        if value is not None or self.is_null(node):
            self.add(node, key, "ska vara true eller false")
        return None

    def date(self, node: Node, key: str, *, optional: bool = False) -> datetime.date | None:
        """A date, written `2022-03-19` (or quoted, as JSON writes it), in the years 1900–2100."""
        if self.is_null(node):
            if not optional:
                self.add(node, key, "saknar värde")
            return None
        if isinstance(node, ScalarNode) and node.tag == _TAG + "timestamp":
            try:
                value = self._constructor.construct_object(node, deep=True)
            except Exception:  # `!!timestamp x` fails as an AttributeError, 2022-02-30 as a ValueError
                self.add(node, key, "är inget datum (ÅÅÅÅ-MM-DD)")
                return None
            if isinstance(value, datetime.datetime):
                self.add(node, key, "ska vara ett datum utan klockslag (ÅÅÅÅ-MM-DD)")
                return None
            if not in_bounds(value):
                self.add(node, key, f"är ett ogiltigt datum: {YEARS_TEXT}")
                return None
            return value
        value = self.plain(node, key) if isinstance(node, ScalarNode) else None
        if isinstance(value, str):
            try:
                return parse_day(value)
            except InvalidDay as reason:
                self.add(node, key, str(reason))
                return None
        if value is not None or not isinstance(node, ScalarNode):
            self.add(node, key, "är inget datum (ÅÅÅÅ-MM-DD)")
        return None


def _unbuildable(node: Node) -> str:
    if isinstance(node, ScalarNode) and node.tag == _TAG + "timestamp":
        return "är inget datum (ÅÅÅÅ-MM-DD)"
    return "värdet kan inte läsas"


def join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def item(key: str, position: int) -> str:
    """A list item's key: lists are counted from 1, as a person counts them."""
    return f"{key}[{position}]"


def unknown_key(name: str, keys) -> str:
    close = difflib.get_close_matches(name, list(keys), n=1)
    if close:
        return f"okänd nyckel (menar du {close[0]}?)"
    return "okänd nyckel; tillåtna: " + ", ".join(keys)


def key_line(text: str, key: str) -> int:
    """The line of a dotted mapping key (`decision.version`) in a file that parsed, for a problem found
    after reading (the version is stored already, the file is another region's); 1 if it is not there."""
    node, _ = compose(text)
    line = 1
    for name in key.split("."):
        if not isinstance(node, MappingNode):
            break
        found = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == name), None)
        if found is None:
            break
        line, node = line_of(found[0]), found[1]
    return line
