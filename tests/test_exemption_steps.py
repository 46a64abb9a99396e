"""Whose step an exemption (or a common decision) waits for, and who may decide it, is written once
(`exemptions.steps`) in two forms: Python for a row in hand, a query condition for a list. They are held
equal here over every state × set of decisions × proposer × reader's body; and the rest of the code asks
them rather than keeping a copy of the rule."""

import ast
import itertools
from pathlib import Path

import pytest
from django.conf import settings

from exemptions import steps
from exemptions.models import Exemption, ExemptionApproval, ExemptionGroup
from tests import factories as f

pytestmark = pytest.mark.django_db

Status = Exemption.Status
KS, HS = ExemptionApproval.Body.KONCERNSTAB, ExemptionApproval.Body.HS_STYRNING
# One body's decision: absent, or (approved?, by the reader or by someone else).
DECISIONS = [None, (True, "reader"), (True, "other"), (False, "reader"), (False, "other")]
PROPOSERS = ["reader", "other", None]


def _cases():
    return list(itertools.product(Status.values, DECISIONS, DECISIONS, PROPOSERS))


def _make(model, link: str, people: dict):
    """One subject per case, its approvals in bulk; returns {pk: (status, decisions, proposer id)}."""
    unit = f.CareUnitFactory()
    requirement = f.requirement("TB3-OPPEN-KALLELSE")
    subjects, cases = [], _cases()
    for n, (status, _ks, _hs, proposer) in enumerate(cases):
        terms = {
            "valid_from": "2026-06-01",
            "valid_until": "2026-12-31",
            "status": status,
            "ended_on": "2026-07-01" if status == Status.REVOKED else None,
            "proposed_by": people[proposer] if proposer else None,
        }
        if model is Exemption:
            subjects.append(
                Exemption(
                    exemption_id=f"AV-T-{n:04d}",
                    unit=unit,
                    requirement=requirement,
                    reason="teknisk",
                    **terms,
                )
            )
        else:
            subjects.append(ExemptionGroup(group_id=f"GB-T-{n:04d}", booking_system="PMO", **terms))
    subjects = model.objects.bulk_create(subjects)
    approvals, expected = [], {}
    for subject, (status, ks, hs, proposer) in zip(subjects, cases, strict=True):
        decisions = []
        for body, decision in ((KS, ks), (HS, hs)):
            if decision is not None:
                approved, who = decision
                approvals.append(
                    ExemptionApproval(**{link: subject}, body=body, decided_by=people[who], approved=approved)
                )
                decisions.append(steps.Decided(body, people[who].pk, approved))
        expected[subject.pk] = (status, decisions, people[proposer].pk if proposer else None)
    ExemptionApproval.objects.bulk_create(approvals)
    return expected


@pytest.mark.parametrize(("model", "link"), [(Exemption, "exemption"), (ExemptionGroup, "group")])
def test_the_python_and_sql_forms_agree_on_every_state_decisions_and_role(model, link):
    people = {"reader": f.UserFactory(), "other": f.UserFactory()}
    cases = _make(model, link, people)
    reader = people["reader"].pk
    for body in (KS, HS):
        in_sql = set(model.objects.filter(steps.next_body_q(body, link=link)).values_list("pk", flat=True))
        in_python = {
            pk for pk, (status, decisions, _p) in cases.items() if steps.next_body(status, decisions) == body
        }
        assert in_sql == in_python, body
    annotated = dict(model.objects.annotate(n=steps.next_body_value(link=link)).values_list("pk", "n"))
    assert annotated == {pk: steps.next_body(s, d) or "" for pk, (s, d, _p) in cases.items()}
    for user_body in (KS, HS, None):
        in_sql = set(
            model.objects.filter(
                steps.may_decide_q(user_body=user_body, user_pk=reader, link=link)
            ).values_list("pk", flat=True)
        )
        in_python = {
            pk
            for pk, (status, decisions, proposer) in cases.items()
            if steps.may_decide(
                status=status,
                user_body=user_body,
                user_pk=reader,
                proposed_by_id=proposer,
                decisions=decisions,
            )
        }
        assert in_sql == in_python, user_body
        # The rule says something for every body: some wait for the reader, most do not.
        assert (0 < len(in_python) < len(cases)) == (user_body is not None)


def test_the_order_and_who_decides():
    ks_approved = [steps.Decided(KS, 1, True)]
    assert steps.next_body(Status.DRAFT, []) is None
    assert steps.next_body(Status.SUBMITTED, []) == KS
    assert steps.next_body(Status.SUBMITTED, ks_approved) == HS
    assert steps.next_body(Status.SUBMITTED, [*ks_approved, steps.Decided(HS, 2, True)]) is None
    common = {"status": Status.SUBMITTED, "proposed_by_id": 9}
    assert steps.may_decide(user_body=HS, user_pk=2, decisions=ks_approved, **common)
    assert not steps.may_decide(user_body=HS, user_pk=1, decisions=ks_approved, **common)  # both decisions
    assert not steps.may_decide(user_body=HS, user_pk=2, decisions=[], **common)  # Koncernstab first
    assert not steps.may_decide(user_body=KS, user_pk=9, decisions=[], **common)  # the proposer
    # Either body rejects while it is sent in; only the next body approves.
    refusal = {"user_pk": 2, "decisions": [], "noun": "Avsteg X", **common}
    assert steps.decision_refusal(body=HS, user_body=HS, approved=False, **refusal) is None
    assert "godkänner först" in steps.decision_refusal(body=HS, user_body=HS, approved=True, **refusal)


# --- No copy of the rule elsewhere -----------------------------------------------------------------------

# The approval order read straight off the approvals (a copy of `next_body`), or a body known by its label.
COPIES = ("approvals__body", "first_given", "WAITS_FOR[body]", "body=Body.KONCERNSTAB, approved=True")


def test_no_other_module_keeps_a_copy_of_whose_step_it_is():
    found = []
    for app in ("exemptions", "portal", "compliance", "actionplan"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "steps.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(settings.BASE_DIR)}: {c}" for c in COPIES if c in text]
    assert found == []


def test_no_code_compares_a_display_label():
    """Whose step it is is a body's value; its Swedish label is for reading only."""
    found = []
    for app in ("exemptions", "portal"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Compare):
                    names = [ast.unparse(x) for x in (node.left, *node.comparators)]
                    if any(n.endswith(".label") or "waits_for" in n or "WAITS_FOR" in n for n in names):
                        found.append(
                            f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}: {ast.unparse(node)}"
                        )
    assert found == []
