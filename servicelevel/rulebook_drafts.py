"""Drafting a new rulebook version in the portal (/regelverk/): the write path for `RulebookDraft`.

A draft is the text of a rulebook file. It starts as a stored version's file (`dump(file_of(decision))`)
under the next free version number, and changes one step at a time — a requirement's parameters, a
requirement added or removed, a profile's lists, or the whole text. After every change the text is read
again with `rulebook_file.parse`: a change that leaves a file the reader refuses is refused with every
problem by line, and nothing is saved, so a stored draft always parses. Publishing sets `in_force_from`
and loads the file through `rulebooks.load`, the same path as `load_rulebook` (region checked, a stored
number and version refused, audited `rulebook_loaded`). Creating, changing and deleting a draft are
audited too.
"""

from __future__ import annotations

import dataclasses
import datetime
import re

from django.db import transaction

from . import rulebook_file as rf
from . import rulebooks
from .audit import audit
from .models import Decision, RulebookDraft

FILENAME = "utkast.yaml"


class DraftRefused(Exception):
    """The change or publication is refused; `lines` are the reasons, in Swedish (a file's problems as
    `FILE:LINE: key: message`)."""

    def __init__(self, lines: list[str]):
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


def filename(draft: RulebookDraft) -> str:
    return f"utkast-{draft.pk}.yaml" if draft.pk else FILENAME


def draft_file(draft: RulebookDraft) -> rf.RulebookFile:
    """The draft as the record its file parses to (a stored draft always parses)."""
    return rf.parse(draft.text, filename(draft))


def next_version(number: str, version: str, taken: set[str] = frozenset()) -> str:
    """The next free version after `version`: its last number counted up ("2.0" → "2.1", "3" → "4",
    "" → "2"), past the versions stored under `number` and those in `taken` (other open drafts)."""
    stored = set(Decision.objects.filter(number=number).values_list("version", flat=True)) | set(taken)
    candidate = version or "1"
    while True:
        match = re.search(r"(\d+)(\D*)$", candidate)
        if match:
            candidate = f"{candidate[: match.start(1)]}{int(match.group(1)) + 1}{match.group(2)}"
        else:
            candidate = f"{candidate}.1"
        if candidate not in stored:
            return candidate


def _open_versions(number: str) -> set[str]:
    versions = set()
    for draft in RulebookDraft.objects.filter(published_as=None):
        parsed = draft_file(draft).decision
        if parsed.number == number:
            versions.add(parsed.version)
    return versions


def draft_create(*, decision: Decision, actor) -> RulebookDraft:
    """A draft of the next version of `decision`, its file as the stored version's with a new version
    number (and `replaces` naming the version it starts from)."""
    stored = rulebooks.file_of(decision)
    version = next_version(decision.number, decision.version, _open_versions(decision.number))
    rulebook = dataclasses.replace(
        stored,
        decision=dataclasses.replace(
            stored.decision, version=version, replaces=f"{decision.number}@{decision.version}"
        ),
    )
    with transaction.atomic():
        draft = RulebookDraft.objects.create(text=rf.dump(rulebook), based_on=decision, created_by=actor)
        audit(
            action="rulebookdraft_created",
            object_type="rulebookdraft",
            object_id=draft.pk,
            actor=actor,
            detail={"from_version": decision.label, "version": version},
        )
    return draft


def _open(draft: RulebookDraft) -> None:
    if draft.published:
        raise DraftRefused([f"Utkastet är redan publicerat som {draft.published_as.label}; det ändras inte."])


def draft_change(
    *, draft: RulebookDraft, actor, change: dict, text: str | None = None, rulebook=None
) -> RulebookDraft:
    """Save the draft's new file — `text` as written, or `rulebook` (a changed record) dumped — once
    `parse` accepts it; `DraftRefused` with every problem by line otherwise. `change` says what changed,
    for the audit trail."""
    _open(draft)
    new_text = text if text is not None else rf.dump(rulebook)
    try:
        rf.parse(new_text, filename(draft))
    except rf.RulebookRefused as refused:
        raise DraftRefused(refused.lines()) from None
    if new_text == draft.text:
        return draft
    with transaction.atomic():
        draft.text = new_text
        draft.save(update_fields=["text", "changed_at"])
        audit(
            action="rulebookdraft_changed",
            object_type="rulebookdraft",
            object_id=draft.pk,
            actor=actor,
            detail=change,
        )
    return draft


def draft_delete(*, draft: RulebookDraft, actor) -> None:
    _open(draft)
    with transaction.atomic():
        version = draft_file(draft).decision
        audit(
            action="rulebookdraft_deleted",
            object_type="rulebookdraft",
            object_id=draft.pk,
            actor=actor,
            detail={"from_version": draft.based_on.label, "version": version.version},
        )
        draft.delete()


def draft_publish(
    *, draft: RulebookDraft, in_force_from: datetime.date, actor, today: datetime.date
) -> rulebooks.Loaded:
    """Load the draft as a new version in force from `in_force_from`, which may not be before `today`:
    a version is immutable and results name it, so a version published today must not change what an
    earlier date was judged by. Refused, by line, for what `load` refuses (another region, a number and
    version already stored)."""
    _open(draft)
    if in_force_from < today:
        raise DraftRefused([f"in_force_from: får inte vara före i dag ({today.isoformat()})"])
    parsed = draft_file(draft)
    text = rf.dump(
        dataclasses.replace(
            parsed, decision=dataclasses.replace(parsed.decision, in_force_from=in_force_from)
        )
    )
    try:
        rulebook, _stored = rulebooks.read(text, filename(draft))
    except rf.RulebookRefused as refused:
        raise DraftRefused(refused.lines()) from None
    with transaction.atomic():
        try:
            loaded = rulebooks.load(rulebook, actor=actor, source=f"portalen ({filename(draft)})")
        except rulebooks.LoadRefused as refused:  # another version of the number stored meanwhile
            raise DraftRefused([str(refused)]) from None
        if not loaded.created:
            raise DraftRefused([f"{loaded.decision.label} finns redan, med samma innehåll."])
        draft.text = text
        draft.published_as = loaded.decision
        draft.save(update_fields=["text", "published_as", "changed_at"])
    return loaded


# --- Changes to a draft's record (pure: a new record; `draft_change` validates and saves it) ----------


def with_requirement(rulebook: rf.RulebookFile, requirement: rf.Requirement, *, replacing: str | None = None):
    """The rulebook with `requirement` in place of the one coded `replacing`, or added last."""
    if replacing is None:
        return dataclasses.replace(rulebook, requirements=(*rulebook.requirements, requirement))
    return dataclasses.replace(
        rulebook,
        requirements=tuple(requirement if r.code == replacing else r for r in rulebook.requirements),
    )


def without_requirement(rulebook: rf.RulebookFile, code: str) -> rf.RulebookFile:
    return dataclasses.replace(
        rulebook, requirements=tuple(r for r in rulebook.requirements if r.code != code)
    )


def with_profile(rulebook: rf.RulebookFile, code: str, services, channels) -> rf.RulebookFile:
    profiles = dict(rulebook.profiles)
    profiles[code] = rf.Profile(tuple(services), tuple(channels))
    return dataclasses.replace(rulebook, profiles=profiles)
