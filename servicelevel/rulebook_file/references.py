"""The rules that join a rulebook file's sections: every code is defined once, every referred code is
defined in the same file, levels run 1..N without a gap, a `contact_card` requirement has no
`applies_if`, and there is at most one `response_time` requirement.

A section that could not be read at all (None) is left out of the rules that refer to it, so one broken
list is not reported again as every reference to it.
"""

from __future__ import annotations

from .nodes import Reader, join, line_of


def check(reader: Reader, groups, catalogue, profiles, requirements, ladder) -> None:
    _defined_once(reader, groups or ())
    for entries in (catalogue.nodes if catalogue else {}).values():
        _defined_once(reader, entries or ())
    if requirements is not None:
        codes = [
            (read.value, read.nodes["code"], join(read.key, "code"))
            for read in requirements
            if read.value.code
        ]
        _defined_once(reader, codes)
        _groups_defined(reader, groups, requirements)
        if requirements:
            _levels(reader, requirements, ladder)
        _kind_rules(reader, requirements)
    if profiles is not None and catalogue is not None:
        _profiles_defined(reader, profiles, catalogue.nodes)


def _defined_once(reader: Reader, entries) -> None:
    """(record, code node, key) entries: each code once in its list."""
    first: dict[str, int] = {}
    for record, node, key in entries:
        if record.code is None:
            continue
        if record.code in first:
            reader.add(node, key, f"koden {record.code} finns redan på rad {first[record.code]}")
        else:
            first[record.code] = line_of(node)


def _groups_defined(reader: Reader, groups, requirements) -> None:
    if groups is None:
        return
    defined = {group.code for group, *_ in groups}
    for read in requirements:
        group = read.value.group
        if group is not None and group not in defined:
            reader.add(read.nodes["group"], join(read.key, "group"), f"gruppen {group} finns inte i groups")


def _profiles_defined(reader: Reader, profiles, catalogue_lists) -> None:
    words = {"services": "tjänsten", "channels": "kanalen"}
    for _, lists in profiles.values():
        for name, entries in lists.items():
            entries_defined = catalogue_lists.get(name)
            defined = None if entries_defined is None else {record.code for record, *_ in entries_defined}
            seen = set()
            for entry, node, key in entries:
                if entry in seen:
                    reader.add(node, key, f"{words[name]} {entry} står redan i listan")
                elif defined is not None and entry not in defined:
                    reader.add(node, key, f"{words[name]} {entry} finns inte i catalogue.{name}")
                seen.add(entry)


def _levels(reader: Reader, requirements, ladder) -> None:
    if ladder is None:
        return
    laddered = [read for read in requirements if read.value.level is not None]
    # A level written but unreadable is told where it stands, not again as a ladder without levels.
    if not any("level" in read.nodes for read in requirements):
        _, node = ladder
        reader.add(node, "ladder", "en ladder kräver krav med level (inget krav har level)")
        return
    if not laddered:
        return
    levels = {read.value.level for read in laddered}
    missing = [level for level in range(1, max(levels)) if level not in levels]
    if missing:
        above = min((read for read in laddered if read.value.level > missing[0]), key=lambda r: r.value.level)
        words = ", ".join(str(level) for level in missing)
        reader.add(
            above.nodes["level"],
            join(above.key, "level"),
            f"nivå {words} saknas: nivåerna ska gå från 1 till {max(levels)} utan lucka",
        )


def _kind_rules(reader: Reader, requirements) -> None:
    first_response_time = None
    for read in requirements:
        kind = read.value.kind
        if kind == "contact_card" and "applies_if" in read.nodes:
            reader.add(
                read.nodes["applies_if"],
                join(read.key, "applies_if"),
                "ett krav av sorten contact_card tar ingen applies_if (kravet gäller just kontaktkortet)",
            )
        if kind == "response_time":
            if first_response_time is None:
                first_response_time = line_of(read.nodes["kind"])
            else:
                reader.add(
                    read.nodes["kind"],
                    join(read.key, "kind"),
                    "högst ett krav av sorten response_time per regelbok "
                    f"(det första på rad {first_response_time})",
                )
