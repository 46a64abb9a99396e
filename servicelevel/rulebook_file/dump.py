"""`dump`: a `RulebookFile` as the YAML text `parse` reads back to an equal record.

The spec's key order, block style, UTF-8 as it is (å, ä, ö unescaped) and only plain values, so the
text is what a person would write. Optional keys without a value (`section`, `level`, `applies_if`,
`in_force_until`, …) are left out rather than written as null, except `ladder`, which the reader
of a file looks for. Parameters are written whole, defaults included: the file then says every number
the decision sets.
"""

from __future__ import annotations

import yaml

from .shapes import RulebookFile


class _Dumper(yaml.SafeDumper):
    """Safe dumping, with a list's items indented under their key as in the project's files."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def dump(rulebook: RulebookFile) -> str:
    return yaml.dump(
        _data(rulebook),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,  # a long name stays on its line
    )


def as_data(rulebook: RulebookFile) -> dict:
    """The file's content as plain data in the file's shape (the API's rulebook, api/views.py)."""
    return _data(rulebook)


def _data(rulebook: RulebookFile) -> dict:
    decision = rulebook.decision
    catalogue = rulebook.catalogue
    return {
        "region": {"code": rulebook.region.code, "name": rulebook.region.name},
        "decision": _present(
            {
                "number": decision.number,
                "version": decision.version,
                "title": decision.title,
                "in_force_from": decision.in_force_from,
                "in_force_until": decision.in_force_until,
                "replaces": decision.replaces,
                "approved_by": decision.approved_by,
            }
        ),
        "groups": [{"code": group.code, "name": group.name} for group in rulebook.groups],
        "ladder": {"name": rulebook.ladder.name} if rulebook.ladder else None,
        "catalogue": {
            "services": [
                {"code": s.code, "name": s.name, **({"digital_contact": True} if s.digital_contact else {})}
                for s in catalogue.services
            ],
            "templates": [{"code": t.code, "name": t.name} for t in catalogue.templates],
            "channels": [{"code": c.code, "name": c.name} for c in catalogue.channels],
        },
        "profiles": {
            code: {"services": list(profile.services), "channels": list(profile.channels)}
            for code, profile in rulebook.profiles.items()
        },
        "requirements": [
            _present(
                {
                    "code": r.code,
                    "group": r.group,
                    "name": r.name,
                    "section": r.section,
                    "kind": r.kind,
                    "level": r.level,
                    "parameters": dict(r.parameters) or None,
                    "applies_if": list(r.applies_if) or None,
                }
            )
            for r in rulebook.requirements
        ],
    }


def _present(values: dict) -> dict:
    return {key: value for key, value in values.items() if value is not None}
