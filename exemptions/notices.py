"""The workflow's e-mails (docs/reports.md, The workflow's e-mails): each step of an exemption or a common
decision tells the people who expect it —

| step (audit action)             | the proposer                    | and                                |
|---------------------------------|---------------------------------|------------------------------------|
| sent in (`…_submitted`)         | a receipt: what happens next    | Koncernstab kommunikation: decide  |
| first approval (`…_approval`)   | approved by Koncernstab         | the second body: decide            |
| second approval (`…_approved`)  | approved, in force from … to …  | —                                  |
| rejected (`…_rejected`)         | why, and what of the siblings   | whoever approved it already        |
| withdrawn (`…_withdrawn`)       | a draft again                   | Koncernstab: no longer to decide   |

A body's people are its active users with an address (`units.permissions.approvers`), never the proposer
(who gets their own message) nor the person who took the step.

The services queue `send_workflow_mail` with the step's audit entries on commit (`tell`), so nothing is
sent for a change that rolled back. Several exemptions sent in together are one message to each person.
Exactly once: a `WorkflowMail(event, recipient)` row is inserted before the mail goes out, and its unique
constraint makes a rerun of the task, or a second worker, skip a person already told about that step; a
mail that fails keeps its error on the row and is not retried (as for the reminders, exemptions/reminders.py:
the server may have taken it after all).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from servicelevel.models import AuditEntry
from units.permissions import approvers

from .models import Exemption, ExemptionGroup, WorkflowMail
from .rules import ids_text, siblings_note
from .steps import FIRST, SECOND

log = logging.getLogger(__name__)

# The steps that send mail: audit action (without the exemption_/exemptiongroup_ prefix) → step.
STEPS = {"submitted": "submitted", "approval": "first_approval", "approved": "approved"}
STEPS |= {"rejected": "rejected", "withdrawn": "withdrawn"}
PARTICIPLE = {  # one, several (avsteg and beslut are both neuter)
    "submitted": ("inskickat", "inskickade"),
    "approved": ("godkänt", "godkända"),
    "rejected": ("avslaget", "avslagna"),
    "withdrawn": ("tillbakadraget", "tillbakadragna"),
}
# The bodies in the workflow's order (exemptions/steps.py): who decides first, who second.
WHICH = {FIRST: "första godkännandet", SECOND: "andra godkännandet"}


@dataclass(frozen=True)
class Outcome:
    sent: int = 0
    skipped: int = 0  # everyone in it already told by an earlier run or another worker
    failed: int = 0


def tell(events: Iterable[AuditEntry]) -> None:
    """On commit, queue the e-mails about these steps (in-process without a broker)."""
    ids = [e.pk for e in events]
    if ids:
        from .tasks import send_workflow_mail

        transaction.on_commit(partial(send_workflow_mail.delay, ids))


def _step(event: AuditEntry) -> str | None:
    verb = event.action.removeprefix(f"{event.object_type}_")
    if verb == "approval" and (event.detail or {}).get("body") != FIRST:
        return None  # the second approval speaks through its `…_approved` entry
    return STEPS.get(verb)


def _subject_of(event: AuditEntry):
    if event.object_type == "exemption":
        return (
            Exemption.objects.select_related("unit", "requirement", "proposed_by")
            .filter(exemption_id=event.object_id)
            .first()
        )
    return (
        ExemptionGroup.objects.select_related("proposed_by")
        .prefetch_related("requirements")
        .filter(group_id=event.object_id)
        .first()
    )


def _address(user) -> str:
    return user.email.strip().lower() if user is not None and user.is_active and user.email.strip() else ""


def _recipients(step: str, event: AuditEntry, subject) -> list[tuple[str, str]]:
    """(address, audience) for one step: "proposer", "decide" (the next body), "rejected" (someone who
    approved it already) or "withdrawn" (the body that was to decide)."""
    proposer = _address(subject.proposed_by)
    out = [(proposer, "proposer")] if proposer else []
    skip = {proposer, _address(event.actor)}
    body = None
    if step == "submitted":
        body, audience = FIRST, "decide"
    elif step == "first_approval":
        body, audience = SECOND, "decide"
    elif step == "withdrawn":
        body, audience = FIRST, "withdrawn"
    elif step == "rejected":
        for approval in subject.approvals.filter(approved=True).select_related("decided_by"):
            address = _address(approval.decided_by)
            if address and address not in skip:
                out.append((address, "rejected"))
                skip.add(address)
    if body is not None:
        for person in approvers(body).order_by("username"):
            address = _address(person)
            if address and address not in skip:
                out.append((address, audience))
                skip.add(address)
    return out


def _claim(event: AuditEntry, recipient: str) -> bool:
    if WorkflowMail.objects.filter(event=event, recipient=recipient).exists():
        return False
    try:
        with transaction.atomic():
            WorkflowMail.objects.create(event=event, recipient=recipient)
    except IntegrityError:  # another worker claimed it at the same moment
        return False
    return True


def _code(subject) -> str:
    return subject.exemption_id if isinstance(subject, Exemption) else subject.group_id


def _link(subject) -> str:
    if isinstance(subject, Exemption):
        return f"{settings.PORTAL_URL}/avsteg/{subject.exemption_id}/"
    return f"{settings.PORTAL_URL}/avsteg/system/{subject.group_id}/"


def _mail_subject(step: str, audience: str, subjects: list, first_body: str) -> str:
    noun = "Avsteg" if isinstance(subjects[0], Exemption) else "Gemensamt beslut"
    codes = ids_text([_code(x) for x in subjects])
    if audience == "decide":
        return f"{noun} {codes} väntar på ert beslut ({WHICH[first_body]})"
    if step == "first_approval":
        return f"{noun} {codes}: {FIRST.label} har godkänt"
    one, several = PARTICIPLE[step]
    return f"{noun} {codes} är {one if len(subjects) == 1 else several}"


def _context(step: str, audience: str, items: list[tuple[AuditEntry, object]]) -> dict:
    subjects = [s for _e, s in items]
    first = subjects[0]
    group = not isinstance(first, Exemption)
    one, several = PARTICIPLE.get(step, ("", ""))
    lines = []
    for event, s in items:
        decision = None
        if step in ("first_approval", "rejected"):
            body = FIRST if step == "first_approval" else (event.detail or {}).get("body")
            decision = s.approvals.filter(body=body).first()
        lines.append(
            {
                "s": s,
                "code": _code(s),
                "link": _link(s),
                "decision": decision,
                "siblings": siblings_note(list(Exemption.objects.siblings_of(s)), rejected=True)
                if step == "rejected" and not group
                else "",
            }
        )
    proposer, actor = first.proposed_by, items[0][0].actor
    return {
        "actor": (actor.get_full_name() or actor.get_username()) if actor else "–",
        "step": step,
        "audience": audience,
        "lines": lines,
        "several": len(lines) > 1,
        "group": group,
        "noun": ("Det gemensamma beslutet" if group else ("Avstegen" if len(lines) > 1 else "Avsteget")),
        "participle": several if len(lines) > 1 else one,
        "proposer": (proposer.get_full_name() or proposer.get_username()) if proposer else "",
        "first_body": FIRST.label,
        "second_body": SECOND.label,
        "which": WHICH[SECOND if step == "first_approval" else FIRST],
        "portal_url": settings.PORTAL_URL,
        "list_link": f"{settings.PORTAL_URL}/avsteg/",
    }


def send_workflow_mail(*, event_ids: Iterable[int]) -> Outcome:
    """Send the e-mails about these steps (audit entry ids): claim each (step, person), then one message
    per person and step for everything claimed. A rerun sends nothing already claimed."""
    events = list(AuditEntry.objects.filter(pk__in=list(event_ids)).select_related("actor").order_by("pk"))
    letters: dict[tuple[str, str, str], list[tuple[AuditEntry, object]]] = {}
    for event in events:
        step = _step(event)
        subject = _subject_of(event) if step else None
        if subject is None:  # not a step that speaks, or the draft was deleted since
            continue
        for address, audience in _recipients(step, event, subject):
            letters.setdefault((address, step, audience), []).append((event, subject))
    results = []
    for (address, step, audience), items in letters.items():
        claimed = [(event, subject) for event, subject in items if _claim(event, address)]
        if not claimed:
            results.append("skipped")
            continue
        context = _context(step, audience, claimed)
        title = _mail_subject(step, audience, [s for _e, s in claimed], _first_body(step))
        body = render_to_string(f"emails/workflow_{step}.txt", context)
        rows = WorkflowMail.objects.filter(event__in=[e for e, _s in claimed], recipient=address)
        try:
            send_mail(title, body, None, [address])
        except Exception as exc:  # SMTP refusals, timeouts: kept on the rows, never retried (see above)
            log.warning("workflow mail %s to %s failed: %s", step, address, exc)
            rows.update(error=str(exc)[:500])
            results.append("failed")
            continue
        rows.update(sent_at=timezone.now())
        results.append("sent")
    return Outcome(results.count("sent"), results.count("skipped"), results.count("failed"))


def _first_body(step: str) -> str:
    """The body a "decide" message asks: Koncernstab after sending in, the second body after the first."""
    return SECOND if step == "first_approval" else FIRST
