"""`parse`: a rulebook file's text into a `RulebookFile`, or `RulebookRefused` with every problem.

Each section is read on its own, so a problem in one does not hide those in the others; the rules that
join sections (a referred code is defined, levels without gaps, …) follow in `references.py`. Only a
YAML syntax error stops reading, since nothing after it can be trusted.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode

from servicelevel import kinds

from . import references
from .nodes import SYNTAX_KEY, Reader, compose, item, join, line_of
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

CODE_MAX, NAME_MAX, TITLE_MAX, VERSION_MAX = 40, 200, 300, 20
_CODE = re.compile(r"[A-Z0-9-]+", re.ASCII)
_PROFILE = re.compile(r"[a-z0-9-]+", re.ASCII)
_REGION = re.compile(r"[a-z]+", re.ASCII)

TOP_KEYS = {
    "region": True,
    "decision": True,
    "groups": True,
    "ladder": False,
    "catalogue": True,
    "profiles": True,
    "requirements": True,
}
REGION_KEYS = {"code": True, "name": True}
DECISION_KEYS = {
    "number": True,
    "version": True,
    "title": True,
    "in_force_from": True,
    "in_force_until": False,
    "replaces": False,
    "approved_by": False,
}
CODE_NAME_KEYS = {"code": True, "name": True}
SERVICE_KEYS = {"code": True, "name": True, "digital_contact": False}
CATALOGUE_KEYS = {"services": True, "templates": False, "channels": False}
PROFILE_KEYS = {"services": False, "channels": False}
REQUIREMENT_KEYS = {
    "code": True,
    "group": True,
    "name": True,
    "section": False,
    "kind": True,
    "level": False,
    "parameters": False,
    "applies_if": False,
}


def parse(text: str, filename: str) -> RulebookFile:
    """The rulebook in `text`; `filename` only names the file in the problems."""
    root, problems = compose(text)
    if root is None:
        raise RulebookRefused(problems, filename)
    reader = Reader()
    if not isinstance(root, MappingNode):
        message = "filen ska vara en mappning med nycklarna " + ", ".join(TOP_KEYS)
        raise RulebookRefused([Problem(line_of(root), SYNTAX_KEY, message)], filename)
    top = reader.mapping(root, "", TOP_KEYS)
    if top is None:
        raise RulebookRefused(reader.problems, filename)
    region = _region(reader, top["region"]) if "region" in top else None
    decision = _decision(reader, top["decision"]) if "decision" in top else None
    groups = _code_names(reader, top.get("groups"), "groups", Group)
    ladder = _ladder(reader, top["ladder"]) if "ladder" in top else None
    catalogue = _catalogue(reader, top["catalogue"]) if "catalogue" in top else None
    profiles = _profiles(reader, top["profiles"]) if "profiles" in top else None
    requirements = _requirements(reader, top["requirements"], ladder) if "requirements" in top else None
    references.check(reader, groups, catalogue, profiles, requirements, ladder)
    if reader.problems:
        raise RulebookRefused(reader.problems, filename)
    return RulebookFile(
        region=region,
        decision=decision,
        groups=tuple(group for group, *_ in groups),
        ladder=ladder[0] if ladder else None,
        catalogue=catalogue.value,
        profiles={code: profile for code, (profile, _) in profiles.items()},
        requirements=tuple(read.value for read in requirements),
    )


def _code(reader: Reader, node: Node, key: str) -> str | None:
    value = reader.text(node, key, max_length=CODE_MAX)
    if value is not None and not _CODE.fullmatch(value):
        reader.add(node, key, f"en kod består av A–Z, 0–9 och -, högst {CODE_MAX} tecken")
        return None
    return value


def _region(reader: Reader, node: Node) -> Region | None:
    values = reader.mapping(node, "region", REGION_KEYS)
    if values is None:
        return None
    code = None
    if "code" in values:
        code = reader.text(values["code"], "region.code", max_length=CODE_MAX)
        if code is not None and not _REGION.fullmatch(code):
            reader.add(values["code"], "region.code", "ska vara små bokstäver a–z, t.ex. skane")
            code = None
    name = reader.text(values["name"], "region.name", max_length=NAME_MAX) if "name" in values else None
    return Region(code, name)


def _decision(reader: Reader, node: Node) -> Decision | None:
    values = reader.mapping(node, "decision", DECISION_KEYS)
    if values is None:
        return None
    fields = {}
    limits = {"number": CODE_MAX, "version": VERSION_MAX, "title": TITLE_MAX, "approved_by": NAME_MAX}
    limits["replaces"] = CODE_MAX + 1 + VERSION_MAX
    for name, node_ in values.items():
        key = join("decision", name)
        if name.startswith("in_force"):
            fields[name] = reader.date(node_, key, optional=name == "in_force_until")
        else:
            fields[name] = reader.text(node_, key, max_length=limits[name], optional=not DECISION_KEYS[name])
    for name in ("number", "replaces"):
        value = fields.get(name)
        if value and (" " in value or value.count("@") > (name == "replaces") or value.startswith("@")):
            reader.add(values[name], join("decision", name), _NUMBER_FORM[name])
    start, end = fields.get("in_force_from"), fields.get("in_force_until")
    if start and end and end < start:
        reader.add(
            values["in_force_until"], "decision.in_force_until", f"får inte vara före in_force_from ({start})"
        )
    return Decision(**{name: fields.get(name) for name in DECISION_KEYS})


_NUMBER_FORM = {
    "number": "ett ärendenummer utan mellanslag och utan @, t.ex. 2026-0000277",
    "replaces": "ärendenumret, eventuellt med @version, t.ex. 2024-0000001 eller 2024-0000001@1.0",
}


def _code_names(reader: Reader, node: Node | None, key: str, record, keys=CODE_NAME_KEYS) -> list:
    """A list of {code, name, …} entries: (record, its code's node and key) for each readable one; None when
    the list itself cannot be read (so references to it are not all reported as undefined too)."""
    items = reader.sequence(node, key) if node is not None else None
    if items is None:
        return None
    read = []
    for position, entry in enumerate(items, start=1):
        at = item(key, position)
        values = reader.mapping(entry, at, keys)
        if values is None:
            continue
        code = _code(reader, values["code"], join(at, "code")) if "code" in values else None
        name = (
            reader.text(values["name"], join(at, "name"), max_length=NAME_MAX) if "name" in values else None
        )
        extra = {}
        if "digital_contact" in values:
            extra["digital_contact"] = reader.boolean(values["digital_contact"], join(at, "digital_contact"))
        if code is not None:
            read.append((record(code, name, **extra), values["code"], join(at, "code")))
    return read


def _ladder(reader: Reader, node: Node):
    """(Ladder, its node), or None when the file has `ladder: null`."""
    if reader.is_null(node):
        return None
    values = reader.mapping(node, "ladder", {"name": True})
    if not values:
        return (Ladder(None), node)  # a ladder was meant: its levels are still allowed
    return (Ladder(reader.text(values["name"], "ladder.name", max_length=NAME_MAX)), node)


class _Read:
    """A record and the nodes the cross-section rules point at."""

    def __init__(self, value, node: Node, key: str, nodes: dict[str, Node]):
        self.value, self.node, self.key, self.nodes = value, node, key, nodes


def _catalogue(reader: Reader, node: Node) -> _Read | None:
    values = reader.mapping(node, "catalogue", CATALOGUE_KEYS)
    if values is None:
        return None
    records = {"services": (Service, SERVICE_KEYS), "templates": (Template,), "channels": (Channel,)}
    lists = {}
    for name, (record, *keys) in records.items():
        if name in values:
            lists[name] = _code_names(reader, values[name], join("catalogue", name), record, *keys)
        else:  # templates and channels may be left out: none; a missing services list is told already
            lists[name] = None if CATALOGUE_KEYS[name] else []
    catalogue = Catalogue(*(tuple(record for record, *_ in entries or ()) for entries in lists.values()))
    return _Read(catalogue, node, "catalogue", lists)


def _profiles(reader: Reader, node: Node) -> dict | None:
    """Profile code → (Profile, {list name: [(code, node)]})."""
    if not reader.is_mapping(node, "profiles"):
        return None
    profiles = {}
    for code, (key_node, value_node) in reader.entries(node, "profiles").items():
        key = join("profiles", code)
        if not _PROFILE.fullmatch(code) or len(code) > CODE_MAX:
            reader.add(key_node, key, f"en profils kod består av a–z, 0–9 och -, högst {CODE_MAX} tecken")
        values = reader.mapping(value_node, key, PROFILE_KEYS) if not reader.is_null(value_node) else {}
        if values is None:
            continue
        lists = {}
        for name in PROFILE_KEYS:
            entries = reader.sequence(values[name], join(key, name)) if name in values else []
            lists[name] = [
                (code_, entry, at)
                for position, entry in enumerate(entries or [], start=1)
                if (code_ := _code(reader, entry, at := item(join(key, name), position))) is not None
            ]
        profile = Profile(*(tuple(c for c, *_ in lists[name]) for name in PROFILE_KEYS))
        profiles[code] = (profile, lists)
    return profiles


def _requirements(reader: Reader, node: Node, ladder) -> list[_Read] | None:
    items = reader.sequence(node, "requirements")
    if items is None:
        return None
    if not items:
        reader.add(node, "requirements", "minst ett krav")
    return [
        read
        for position, entry in enumerate(items, 1)
        if (read := _requirement(reader, entry, position, ladder))
    ]


def _requirement(reader: Reader, node: Node, position: int, ladder) -> _Read | None:
    at = item("requirements", position)
    values = reader.mapping(node, at, REQUIREMENT_KEYS)
    if values is None:
        return None
    code = _code(reader, values["code"], join(at, "code")) if "code" in values else None
    group = _code(reader, values["group"], join(at, "group")) if "group" in values else None
    name = reader.text(values["name"], join(at, "name"), max_length=NAME_MAX) if "name" in values else None
    section = None
    if "section" in values:
        section = reader.text(values["section"], join(at, "section"), max_length=NAME_MAX, optional=True)
    kind = _kind(reader, values["kind"], join(at, "kind")) if "kind" in values else None
    level = _level(reader, values["level"], join(at, "level"), ladder) if "level" in values else None
    parameters = _parameters(reader, values.get("parameters"), node, join(at, "parameters"), kind)
    applies_if = (
        _conditions(reader, values["applies_if"], join(at, "applies_if")) if "applies_if" in values else ()
    )
    requirement = Requirement(code, group, name, kind, section, level, parameters, applies_if)
    return _Read(requirement, node, at, values)


def _kind(reader: Reader, node: Node, key: str) -> str | None:
    value = reader.text(node, key, max_length=NAME_MAX)
    if value is not None and value not in kinds.KINDS:
        reader.add(node, key, "okänd sort; sorterna: " + ", ".join(kinds.KIND_NAMES))
        return None
    return value


def _level(reader: Reader, node: Node, key: str, ladder) -> int | None:
    if reader.is_null(node):
        return None
    value = reader.plain(node, key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        if value is not None:
            reader.add(node, key, "ska vara ett heltal ≥ 1")
        return None
    if ladder is None:
        reader.add(node, key, "kräver en ladder (regelbokens ladder saknas eller är null)")
        return None
    return value


def _parameters(reader: Reader, node: Node | None, requirement: Node, key: str, kind: str | None) -> dict:
    given, nodes = {}, {}
    if node is not None and not reader.is_null(node):
        if not reader.is_mapping(node, key):
            return {}
        for name, (_, value_node) in reader.entries(node, key).items():
            value = reader.plain(value_node, join(key, name))
            if value is None and not reader.is_null(value_node):
                continue  # unreadable, told already
            given[name], nodes[name] = value, value_node
    if kind is None:
        return given
    for name, message in kinds.parameter_problems(kind, given).items():
        at = nodes.get(name, node if node is not None else requirement)
        reader.add(at, key if name == "-" else join(key, name), message)
    return kinds.with_defaults(kind, given)


def _conditions(reader: Reader, node: Node, key: str) -> tuple[str, ...]:
    entries = reader.sequence(node, key)
    conditions = []
    for position, entry in enumerate(entries or [], start=1):
        at = item(key, position)
        value = reader.text(entry, at, max_length=NAME_MAX) if isinstance(entry, ScalarNode) else None
        if not isinstance(entry, ScalarNode):
            reader.add(entry, at, "ska vara ett villkors namn")
        elif value is not None and value not in kinds.CONDITIONS:
            reader.add(entry, at, "okänt villkor; villkoren: " + ", ".join(kinds.CONDITION_NAMES))
        elif value in conditions:
            reader.add(entry, at, "villkoret står redan i listan")
        elif value is not None:
            conditions.append(value)
    return tuple(conditions)
