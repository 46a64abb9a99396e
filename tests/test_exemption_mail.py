"""The workflow speaks: sending in, each approval, a rejection and a withdrawal each
send the e-mails people expect — to the proposer, and to the people of the body that decides next — on
commit, exactly once (a rerun of the sending sends nothing), printed on the console in development."""

import datetime
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from compliance.services import today
from exemptions import notices
from exemptions import services as s
from exemptions.models import ExemptionApproval, WorkflowMail
from servicelevel.models import AuditEntry
from units.permissions import Roles

from . import factories as f
from .helpers import user_with_address as user_in

pytestmark = pytest.mark.django_db

D = datetime.timedelta
KS, HS = ExemptionApproval.Body.KONCERNSTAB, ExemptionApproval.Body.HS_STYRNING
HS_NAME = "Avdelningen för hälso- och sjukvårdsstyrning"


@pytest.fixture
def unit():
    return f.CareUnitFactory(hsa_id="SE2321000255-MAIL1", name="Vårdcentralen Brev")


@pytest.fixture
def people(unit):
    return {
        "chef": user_in(Roles.VERKSAMHETSCHEF, "chef", [unit], first_name="Eva", last_name="Chef"),
        "ks1": user_in(Roles.KONCERNSTAB, "ks1"),
        "ks2": user_in(Roles.KONCERNSTAB, "ks2"),
        "ks_utan": user_in(Roles.KONCERNSTAB, "ksutan", email=False),
        "ks_slutat": user_in(Roles.KONCERNSTAB, "ksslutat", is_active=False),
        "hs": user_in(Roles.HS_STYRNING, "hs"),
        "ledning": user_in(Roles.LEDNING, "ledning"),
    }


def propose(unit, by, *, codes=("TB3-OPPEN-KALLELSE",), submit=True):
    return s.exemption_propose(
        unit=unit,
        requirements=[f.requirement(c) for c in codes],
        reason="teknisk",
        justification="PASiS stödjer inte öppen kallelse här",
        valid_from=today(),
        valid_until=today() + D(days=120),
        follow_ups=[today() + D(days=30)],
        proposed_by=by,
        submit=submit,
    )


def to(outbox) -> dict[str, object]:
    """Each recipient's one message (fails if anyone got two)."""
    by = {}
    for message in outbox:
        for address in message.to:
            assert address not in by, f"{address} fick två meddelanden"
            by[address] = message
    return by


def test_sending_in_tells_the_proposer_and_koncernstab_once(
    unit, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (e,) = propose(unit, people["chef"])
    got = to(mailoutbox)
    # Koncernstab decides first; nobody without an address, no inactive account, not HS-styrning yet.
    assert sorted(got) == ["chef@skane.se", "ks1@skane.se", "ks2@skane.se"]
    mine = got["chef@skane.se"]
    assert mine.subject == f"Avsteg {e.exemption_id} är inskickat"
    assert "väntar nu på Koncernstab kommunikations beslut" in mine.body
    assert f"http://localhost:8000/avsteg/{e.exemption_id}/" in mine.body
    theirs = got["ks1@skane.se"]
    assert theirs.subject == f"Avsteg {e.exemption_id} väntar på ert beslut (första godkännandet)"
    assert "Vårdcentralen Brev (SE2321000255-MAIL1)" in theirs.body and "Eva Chef" in theirs.body
    assert "TB3-OPPEN-KALLELSE" in theirs.body

    # Exactly once: the sending run again (a retried task, a second worker) sends nothing.
    event = AuditEntry.objects.get(object_id=e.exemption_id, action="exemption_submitted")
    assert notices.send_workflow_mail(event_ids=[event.pk]).skipped == 3
    assert len(mailoutbox) == 3
    assert WorkflowMail.objects.filter(event=event, sent_at__isnull=False).count() == 3


def test_nothing_is_sent_before_the_change_is_committed(
    unit, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        propose(unit, people["chef"])
    assert mailoutbox == [] and callbacks


def test_exemptions_sent_in_together_are_one_message_each_and_inskickade(
    unit, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = propose(
            unit, people["chef"], codes=("TB3-OPPEN-KALLELSE", "TB3-OPPEN-KALLELSE-ANDEL")
        )
    got = to(mailoutbox)
    assert len(mailoutbox) == 3
    both = f"{first.exemption_id} och {second.exemption_id}"
    assert got["chef@skane.se"].subject == f"Avsteg {both} är inskickade"
    assert "Avstegen" in got["chef@skane.se"].body and "inskickade" in got["chef@skane.se"].body
    assert got["ks1@skane.se"].subject == f"Avsteg {both} väntar på ert beslut (första godkännandet)"


def test_each_approval_tells_the_proposer_and_the_next_body(
    unit, people, mailoutbox, django_capture_on_commit_callbacks
):
    (e,) = propose(unit, people["chef"])
    with django_capture_on_commit_callbacks(execute=True):
        s.exemption_approve(exemption=e, decided_by=people["ks1"], body=KS, comment="Beredd")
    got = to(mailoutbox)
    assert sorted(got) == ["chef@skane.se", "hs@skane.se"]
    assert got["chef@skane.se"].subject == f"Avsteg {e.exemption_id}: Koncernstab kommunikation har godkänt"
    assert f"Nu beslutar {HS_NAME}" in got["chef@skane.se"].body
    assert got["hs@skane.se"].subject == f"Avsteg {e.exemption_id} väntar på ert beslut (andra godkännandet)"
    assert "Beredd" in got["hs@skane.se"].body  # the first decision's comment comes along

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        s.exemption_approve(exemption=e, decided_by=people["hs"], body=HS)
    got = to(mailoutbox)
    assert sorted(got) == ["chef@skane.se"]
    assert got["chef@skane.se"].subject == f"Avsteg {e.exemption_id} är godkänt"
    assert f"gäller {e.valid_from:%Y-%m-%d} – {e.valid_until:%Y-%m-%d}" in got["chef@skane.se"].body


def test_a_rejection_tells_the_proposer_why_and_what_happens_to_the_siblings(
    unit, people, mailoutbox, django_capture_on_commit_callbacks
):
    first, second = propose(unit, people["chef"], codes=("TB3-OPPEN-KALLELSE", "TB3-OPPEN-KALLELSE-ANDEL"))
    s.exemption_approve(exemption=first, decided_by=people["ks1"], body=KS)
    with django_capture_on_commit_callbacks(execute=True):
        s.exemption_reject(exemption=first, decided_by=people["hs"], body=HS, reason="Andelen räcker inte")
    got = to(mailoutbox)
    # The proposer, and the one who gave the first approval: their decision no longer leads anywhere.
    assert sorted(got) == ["chef@skane.se", "ks1@skane.se"]
    message = got["chef@skane.se"]
    assert message.subject == f"Avsteg {first.exemption_id} är avslaget"
    assert "Andelen räcker inte" in message.body and HS_NAME in message.body
    assert f"{second.exemption_id}" in message.body and "påverkas inte" in message.body


def test_a_withdrawal_tells_the_proposer_and_koncernstab(
    unit, people, mailoutbox, django_capture_on_commit_callbacks
):
    (e,) = propose(unit, people["chef"])
    with django_capture_on_commit_callbacks(execute=True):
        s.exemption_withdraw(exemption=e, actor=people["chef"])
    got = to(mailoutbox)
    assert sorted(got) == ["chef@skane.se", "ks1@skane.se", "ks2@skane.se"]
    assert got["ks1@skane.se"].subject == f"Avsteg {e.exemption_id} är tillbakadraget"
    assert "väntar inte längre på ert beslut" in got["ks1@skane.se"].body
    assert "utkast igen" in got["chef@skane.se"].body


def test_a_common_decision_sent_in_tells_koncernstab(people, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group = s.exemption_group_propose(
            booking_system="PMO",
            requirements=[f.requirement("TB3-OPPEN-KALLELSE")],
            justification="PMO saknar öppen kallelse",
            valid_from=today(),
            valid_until=today() + D(days=100),
            follow_ups=[today() + D(days=30)],
            proposed_by=people["hs"],
            submit=True,
        )
    got = to(mailoutbox)
    assert sorted(got) == ["hs@skane.se", "ks1@skane.se", "ks2@skane.se"]
    assert got["ks1@skane.se"].subject == (
        f"Gemensamt beslut {group.group_id} väntar på ert beslut (första godkännandet)"
    )
    assert f"http://localhost:8000/avsteg/system/{group.group_id}/" in got["ks1@skane.se"].body


def test_a_failed_send_is_kept_with_its_error_and_not_sent_again(
    unit, people, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP nere")

    monkeypatch.setattr(notices, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        (e,) = propose(unit, people["chef"])
    assert mailoutbox == []
    rows = WorkflowMail.objects.all()
    assert (
        rows.count() == 3
        and {r.error for r in rows} == {"SMTP nere"}
        and not rows.filter(sent_at__isnull=False)
    )
    monkeypatch.undo()
    event = AuditEntry.objects.get(object_id=e.exemption_id, action="exemption_submitted")
    notices.send_workflow_mail(event_ids=[event.pk])
    assert mailoutbox == []  # a refusal is not retried: the server may have taken the message after all


def test_development_prints_the_mail_on_the_console_and_the_bound_is_read_from_the_environment():
    probe = (
        "import json; from servicelevel import settings as s;"
        " print(json.dumps({'backend': s.EMAIL_BACKEND, 'months': s.EXEMPTION_MAX_MONTHS}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}

    def load(**env):
        ran = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=settings.BASE_DIR,
            env={**base, **env},
            capture_output=True,
            text=True,
        )
        assert ran.returncode == 0, ran.stderr
        return json.loads(ran.stdout)

    assert load(DJANGO_DEBUG="1") == {
        "backend": "django.core.mail.backends.console.EmailBackend",
        "months": 12,
    }
    production = load(DJANGO_SECRET_KEY="x", DJANGO_EXEMPTION_MAX_MONTHS="6")
    assert production == {"backend": "django.core.mail.backends.smtp.EmailBackend", "months": 6}
