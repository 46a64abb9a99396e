"""The exemption workflow at /avsteg/ (§2.1.2): the list with worklists, a proposal (/avsteg/ny/), one
exemption with its decisions and history (/avsteg/<id>/) — a draft changed (…/andra/) or deleted
(…/ta-bort/, after a question), a submitted one withdrawn before the first decision (…/dra-tillbaka/) —
and the booking systems' capabilities with common decisions (/avsteg/system/).

Every view starts with an access helper (`exemption_for_user`, `group_for_user`: 404 for what the user may
not see); a read-only role gets 403 on every POST; each state change is one service in
`exemptions/services.py`, which checks the state and the person again and says in Swedish why it refuses.
Buttons are shown only to who may use them; the server decides regardless.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from compliance.services import today
from exemptions import services as s
from exemptions.models import ExemptionApproval
from exemptions.rules import ids_text, siblings_note
from portal.exemptions import forms
from portal.exemptions import selectors as sel
from portal.presentation.forms import error_summary
from units.permissions import (
    approval_body,
    is_read_only,
    may_change_unit,
    may_keep_capabilities,
    sees_everything,
)


def _refusal(error: ValidationError) -> list[str]:
    return [m for m in error.messages]


def _may_write(user) -> None:
    if is_read_only(user):
        raise PermissionDenied("Din roll kan se avsteg men inte ändra dem.")


Body = ExemptionApproval.Body
FIRST, SECOND = Body.KONCERNSTAB.label, Body.HS_STYRNING.label  # the bodies' names, written once
BODIES = {"first_body": FIRST, "second_body": SECOND}


def _approver(user) -> str:
    body = approval_body(user)
    if body is None:
        raise PermissionDenied(f"Bara {FIRST} och {SECOND} beslutar om avsteg.")
    return body


def _manager(user, exemption) -> None:
    """403 unless the user sends in, changes, deletes and withdraws this exemption (its proposer or the
    unit's people: `exemptions.services.may_manage`)."""
    _may_write(user)
    if not s.may_manage(user, exemption):
        raise PermissionDenied(s.MANAGE_REFUSED.format(verb="ändra"))


def _made(made, *, submit: bool) -> str:
    """The confirmation of a proposal, in the number it has: "Avsteg AV-1 är inskickat", "Avstegen AV-1
    och AV-2 är inskickade"."""
    ids = ids_text([e.exemption_id for e in made])
    one = len(made) == 1
    noun = "Avsteg" if one else "Avstegen"
    if submit:
        return f"{noun} {ids} är {'inskickat' if one else 'inskickade'} och väntar på {FIRST}s beslut."
    return (
        f"{noun} {ids} är {'sparat' if one else 'sparade'} som utkast. "
        f"Skicka in {'det' if one else 'dem'} när {'det' if one else 'de'} är klar{'t' if one else 'a'}."
    )


def _duplicates(found) -> list[tuple[str, str]]:
    """The exemptions a proposal duplicates, as (id, what it is) for the warning: the page links the id."""
    return [(e.exemption_id, s.duplicate_text(e)) for e in found]


# --- List and proposal ------------------------------------------------------------------------------------


@login_required
def exemption_list(request):
    page = sel.list_page(
        request.user,
        today=today(),
        status=request.GET.get("status", ""),
        page_number=request.GET.get("sida", 1),
    )
    may_propose = sel.may_propose(request.user)
    return render(
        request,
        "portal/exemptions_list.html",
        {
            "page": page,
            "may_propose": may_propose,
            "sees_everything": sees_everything(request.user),
            **BODIES,
        },
    )


def _form_address(request):
    """A new proposal's page gets its one-time token in its address first (…?forslag=<token>, a redirect):
    after saving, going Back re-asks the page by that address, so the form — with what the browser brings
    back of the typed values — carries the same token, and "Spara utkast" again finds what the first
    sending made instead of making a second exemption. A hidden field alone would come back new."""
    if request.method in ("GET", "HEAD") and not request.GET.get("forslag"):
        query = request.GET.copy()
        query["forslag"] = str(uuid.uuid4())
        return redirect(f"{request.path}?{query.urlencode()}")
    return None


def _token(request, form) -> str:
    sent = form.cleaned_data.get("token") if form.is_bound else ""
    return sent or request.GET.get("forslag", "")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exemption_new(request):
    _may_write(request.user)
    if again := _form_address(request):
        return again
    units = sel.units_to_propose_for(request.user)
    has_units = sel.may_propose(request.user)
    if request.method == "POST" and not has_units:
        # The page (GET) says who proposes; a proposal from someone with no unit to propose for is refused.
        raise PermissionDenied("Du har inga enheter att föreslå avsteg för.")
    initial = {"token": request.GET.get("forslag", "")}
    if request.method == "GET" and request.GET.get("enhet"):
        chosen = sel.unit_chosen(units, request.GET["enhet"])
        initial["unit"] = chosen.pk if chosen else None
    form = forms.ProposalForm(
        request.POST if request.method == "POST" else None, units=units, today=today(), initial=initial
    )
    errors, duplicates = [], []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submit = request.POST.get("action") == "submit"
        try:
            made = s.exemption_propose(
                unit=data["unit"],
                requirements=data["requirements"],
                reason=data["reason"],
                justification=data["justification"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                follow_ups=form.follow_ups(),
                proposed_by=request.user,
                submit=submit,
                token=_token(request, form),
                allow_duplicates=data["confirm_duplicates"],
            )
        except s.Duplicates as found:
            duplicates = _duplicates(found.found)
        except ValidationError as error:
            errors = _field_errors(form, error)
        else:
            if made.repeated:  # the same form sent again (browser Back, then the button again)
                draft = made[0].status == s.Status.DRAFT
                messages.info(
                    request,
                    f"Förslaget var redan sparat som {ids_text([e.exemption_id for e in made])}; "
                    "inget nytt avsteg skapades."
                    + (" Ändra utkastet här om något ska ändras." if draft else ""),
                )
            else:
                messages.success(request, _made(made, submit=submit))
            return redirect("portal:exemption_detail", exemption_id=made[0].exemption_id)
    return render(
        request,
        "portal/exemptions_new.html",
        {
            "form": form,
            "errors": errors + error_summary(form),
            "duplicates": duplicates,
            "already": sel.proposal_made(request.user, request.GET.get("forslag", "")),
            "no_units": not has_units,
            **BODIES,
        },
    )


def _field_errors(form, error: ValidationError) -> list[tuple[str, str]]:
    """A service's refusal, per field where it names one (then also shown beside the field)."""
    out = []
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            anchor = ""
            if name in form.fields:
                form.add_error(name, errs)
                continue
            if name == "follow_ups":
                form.add_error("follow_up_1", errs)
                continue
            out += [(anchor, m) for m in errs]
    else:
        out += [("", m) for m in error.messages]
    return out


# --- One exemption --------------------------------------------------------------------------------------


@never_cache
@login_required
def exemption_detail(request, exemption_id: str):
    exemption = sel.exemption_for_user(request.user, exemption_id)
    page = sel.detail_page(
        request.user,
        exemption,
        may_change=not is_read_only(request.user) and may_change_unit(request.user, exemption.unit),
        may_manage=s.may_manage(request.user, exemption),
        today=today(),
    )
    return render(
        request,
        "portal/exemptions_detail.html",
        {
            "page": page,
            "decision_form": forms.DecisionForm(),
            "revoke_form": forms.RevokeForm(initial={"ended_on": today()}),
            "follow_up_form": forms.FollowUpForm(),
            "sees_everything": sees_everything(request.user),
        },
    )


def _back(exemption_id: str):
    return redirect("portal:exemption_detail", exemption_id=exemption_id)


@login_required
@require_POST
def exemption_decide(request, exemption_id: str):
    exemption = sel.exemption_for_user(request.user, exemption_id)
    _may_write(request.user)
    body = _approver(request.user)
    form = forms.DecisionForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    approve = request.POST.get("action") == "approve"
    try:
        if approve:
            s.exemption_approve(exemption=exemption, decided_by=request.user, body=body, comment=comment)
        else:
            s.exemption_reject(exemption=exemption, decided_by=request.user, body=body, reason=comment)
    except ValidationError as error:
        for m in _refusal(error):
            messages.error(request, m)
    else:
        if not approve:
            others = siblings_note(s.proposal_siblings(exemption), rejected=True)
            messages.success(request, f"Avsteg {exemption_id} är avslaget. {others}".strip())
        elif exemption.status == s.Status.APPROVED:
            messages.success(
                request,
                f"Avsteg {exemption_id} är godkänt av båda och gäller {exemption.valid_from:%Y-%m-%d}–"
                f"{exemption.valid_until:%Y-%m-%d}; enhetens resultat är omräknade.",
            )
        else:
            messages.success(
                request, f"Ditt godkännande är sparat; avsteg {exemption_id} väntar nu på {SECOND}."
            )
    return _back(exemption_id)


@login_required
@require_POST
def exemption_submit(request, exemption_id: str):
    exemption = sel.exemption_for_user(request.user, exemption_id)
    _manager(request.user, exemption)
    try:
        s.exemption_submit(exemption=exemption, actor=request.user)
    except ValidationError as error:
        for m in _refusal(error):
            messages.error(request, m)
    else:
        messages.success(request, _made([exemption], submit=True))
    return _back(exemption_id)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exemption_edit(request, exemption_id: str):
    """A draft's terms, changed by its proposer or the unit's people; "Spara utkast" or "Skicka in"."""
    exemption = sel.exemption_for_user(request.user, exemption_id)
    _manager(request.user, exemption)
    if exemption.status != s.Status.DRAFT:
        messages.error(
            request,
            f"Avsteg {exemption_id} är {exemption.get_status_display().lower()}: bara ett utkast kan ändras.",
        )
        return _back(exemption_id)
    form = forms.DraftForm(
        request.POST if request.method == "POST" else None,
        units=sel.units_to_propose_for(request.user),
        today=today(),
        exemption=exemption,
    )
    errors, duplicates = [], []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submit = request.POST.get("action") == "submit"
        try:
            saved = s.exemption_edit(
                exemption=exemption,
                actor=request.user,
                unit=data["unit"],
                requirement=data["requirement"],
                reason=data["reason"],
                justification=data["justification"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                follow_ups=form.follow_ups(),
                allow_duplicates=data["confirm_duplicates"],
                submit=submit,
            )
        except s.Duplicates as found:
            duplicates = _duplicates(found.found)
        except ValidationError as error:
            errors = _field_errors(form, error)
        else:
            if submit:
                messages.success(request, _made([exemption], submit=True))
            elif saved.changed:
                messages.success(request, f"Utkastet {exemption_id} är sparat.")
            else:
                messages.info(request, f"Inget ändrades i utkastet {exemption_id}.")
            return _back(exemption_id)
    return render(
        request,
        "portal/exemptions_edit.html",
        {
            "exemption": exemption,
            "form": form,
            "errors": errors + error_summary(form),
            "duplicates": duplicates,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exemption_delete(request, exemption_id: str):
    """GET asks "Ta bort utkastet …?"; POST deletes the draft (its proposer or the unit's people)."""
    exemption = sel.exemption_for_user(request.user, exemption_id)
    _manager(request.user, exemption)
    if exemption.status != s.Status.DRAFT:
        messages.error(
            request,
            f"Avsteg {exemption_id} är {exemption.get_status_display().lower()}: "
            "bara ett utkast kan tas bort.",
        )
        return _back(exemption_id)
    if request.method == "POST":
        try:
            s.exemption_delete(exemption=exemption, actor=request.user)
        except ValidationError as error:
            for m in _refusal(error):
                messages.error(request, m)
            return _back(exemption_id)
        messages.success(request, f"Utkastet {exemption_id} är borttaget.")
        return redirect("portal:exemption_list")
    return render(request, "portal/exemptions_delete.html", {"exemption": exemption})


@login_required
@require_POST
def exemption_withdraw(request, exemption_id: str):
    """ "Dra tillbaka": a submitted exemption no one has decided on is a draft again."""
    exemption = sel.exemption_for_user(request.user, exemption_id)
    _manager(request.user, exemption)
    try:
        s.exemption_withdraw(exemption=exemption, actor=request.user)
    except ValidationError as error:
        for m in _refusal(error):
            messages.error(request, m)
    else:
        messages.success(
            request,
            f"Avsteg {exemption_id} är tillbakadraget och är ett utkast igen: ändra det, "
            "skicka in det på nytt eller ta bort det.",
        )
    return _back(exemption_id)


@login_required
@require_POST
def exemption_revoke(request, exemption_id: str):
    exemption = sel.exemption_for_user(request.user, exemption_id)
    _may_write(request.user)
    _approver(request.user)
    form = forms.RevokeForm(request.POST)
    ended_on = form.cleaned_data.get("ended_on") if form.is_valid() else None
    try:
        s.exemption_revoke(exemption=exemption, decided_by=request.user, ended_on=ended_on)
    except ValidationError as error:
        for m in _refusal(error):
            messages.error(request, m)
    else:
        messages.success(
            request, f"Avsteg {exemption_id} är återkallat och gäller inte från {ended_on:%Y-%m-%d}."
        )
    return _back(exemption_id)


@login_required
@require_POST
def exemption_follow_up(request, exemption_id: str, pk: int):
    exemption = sel.exemption_for_user(request.user, exemption_id)
    _may_write(request.user)
    follow_up = sel.follow_up_of(exemption, pk)
    form = forms.FollowUpForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        s.follow_up_done(follow_up=follow_up, actor=request.user, note=note)
    except ValidationError as error:
        for m in _refusal(error):
            messages.error(request, m)
    else:
        messages.success(request, f"Uppföljningen {follow_up.due_on:%Y-%m-%d} är markerad som gjord.")
    return _back(exemption_id)


# --- Booking systems and common decisions -----------------------------------------------------------------


def _region_wide(user) -> None:
    if not sees_everything(user):
        raise PermissionDenied(
            "Bokningssystemens stöd och gemensamma beslut är för regionövergripande roller."
        )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def system(request):
    _region_wide(request.user)
    may_edit = may_keep_capabilities(request.user)
    if request.method == "POST":
        _may_write(request.user)
        if not may_edit:
            raise PermissionDenied("Bara Koncernstab kommunikation för tabellen över bokningssystemens stöd.")
    form = forms.CapabilityForm(request.POST if request.method == "POST" else None, today=today())
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = s.capability_save(capability=form.capability(), actor=request.user)
        except ValidationError as error:
            errors = [("", m) for m in error.messages]
        else:
            c = saved.obj
            messages.success(
                request,
                f"{c.booking_system} {c.requirement.code}: "
                + ("stöds – se nedan vilka avsteg som kan upphöra." if c.supported else "stöds inte.")
                if saved.changed
                else "Inget ändrades.",
            )
            return redirect("portal:exemption_system")
    return render(
        request,
        "portal/exemptions_system.html",
        {
            "page": sel.system_page(),
            "form": form,
            "errors": errors + error_summary(form),
            "may_edit": may_edit,
            "may_propose": approval_body(request.user) is not None,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_new(request):
    _region_wide(request.user)
    _may_write(request.user)
    _approver(request.user)
    if again := _form_address(request):
        return again
    initial = {k: request.GET[k] for k in ("booking_system",) if k in request.GET}
    initial["token"] = request.GET.get("forslag", "")
    form = forms.GroupProposalForm(
        request.POST if request.method == "POST" else None, today=today(), initial=initial
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submit = request.POST.get("action") == "submit"
        try:
            group = s.exemption_group_propose(
                booking_system=data["booking_system"],
                requirements=data["requirements"],
                justification=data["justification"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                follow_ups=form.follow_ups(),
                proposed_by=request.user,
                submit=submit,
                token=_token(request, form),
            )
        except ValidationError as error:
            errors = _field_errors(form, error)
        else:
            if group.repeated:
                messages.info(
                    request, f"Förslaget var redan sparat som {group.group_id}; inget nytt beslut skapades."
                )
            else:
                messages.success(request, f"Gemensamt beslut {group.group_id} {_group_done(submit)}")
            return redirect("portal:exemption_group", group_id=group.group_id)
    return render(
        request,
        "portal/exemptions_group_new.html",
        {"form": form, "errors": errors + error_summary(form), "group": None},
    )


def _group_done(submit: bool) -> str:
    return f"är inskickat och väntar på {FIRST}s beslut." if submit else "är sparat som utkast."


def _group_manager(request, group_id: str):
    """A common decision whose draft the user may change or delete: region-wide (else 404), an approver
    (else 403, Ledning too)."""
    group = sel.group_for_user(request.user, group_id)
    _may_write(request.user)
    _approver(request.user)
    return group


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_edit(request, group_id: str):
    group = _group_manager(request, group_id)
    if group.status != s.Status.DRAFT:
        messages.error(
            request,
            f"Gemensamt beslut {group_id} är {group.get_status_display().lower()}: "
            "bara ett utkast kan ändras.",
        )
        return redirect("portal:exemption_group", group_id=group_id)
    initial = sel.group_form_initial(group)
    form = forms.GroupProposalForm(
        request.POST if request.method == "POST" else None,
        today=today(),
        initial=initial,
        follow_up_count=len(group.follow_up_dates),
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submit = request.POST.get("action") == "submit"
        try:
            s.exemption_group_edit(
                group=group,
                actor=request.user,
                booking_system=data["booking_system"],
                requirements=data["requirements"],
                justification=data["justification"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                follow_ups=form.follow_ups(),
                submit=submit,
            )
        except ValidationError as error:
            errors = _field_errors(form, error)
        else:
            done = _group_done(True) if submit else "är sparat."
            messages.success(request, f"Gemensamt beslut {group_id} {done}")
            return redirect("portal:exemption_group", group_id=group_id)
    return render(
        request,
        "portal/exemptions_group_new.html",
        {"form": form, "errors": errors + error_summary(form), "group": group},
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_delete(request, group_id: str):
    group = _group_manager(request, group_id)
    if group.status != s.Status.DRAFT:
        messages.error(
            request,
            f"Gemensamt beslut {group_id} är {group.get_status_display().lower()}: "
            "bara ett utkast kan tas bort.",
        )
        return redirect("portal:exemption_group", group_id=group_id)
    if request.method == "POST":
        try:
            s.exemption_group_delete(group=group, actor=request.user)
        except ValidationError as error:
            for m in _refusal(error):
                messages.error(request, m)
            return redirect("portal:exemption_group", group_id=group_id)
        messages.success(request, f"Utkastet {group_id} är borttaget.")
        return redirect("portal:exemption_system")
    return render(request, "portal/exemptions_delete.html", {"group": group})


@never_cache
@login_required
def group_detail(request, group_id: str):
    group = sel.group_for_user(request.user, group_id)
    return render(
        request,
        "portal/exemptions_group.html",
        {
            "page": sel.group_page(request.user, group, today=today()),
            "decision_form": forms.DecisionForm(),
            "revoke_form": forms.RevokeForm(initial={"ended_on": today()}),
        },
    )


@login_required
@require_POST
def group_action(request, group_id: str):
    """Skicka in, Dra tillbaka, Godkänn, Avslå and Återkalla alla for a common decision (`action`)."""
    group = sel.group_for_user(request.user, group_id)
    _may_write(request.user)
    body = _approver(request.user)
    action = request.POST.get("action")
    try:
        if action == "submit":
            s.exemption_group_submit(group=group, actor=request.user)
            done = f"är inskickat och väntar på {FIRST}s beslut"
        elif action == "withdraw":
            s.exemption_group_withdraw(group=group, actor=request.user)
            done = (
                "är tillbakadraget och är ett utkast igen: ändra det, skicka in det på nytt eller ta bort det"
            )
        elif action == "approve":
            comment = request.POST.get("comment", "")
            s.exemption_group_approve(group=group, decided_by=request.user, body=body, comment=comment)
            done = (
                f"är godkänt av båda; {sel.group_exemption_count(group)} avsteg har skapats och "
                "resultaten räknas om"
                if group.status == s.Status.APPROVED
                else f"har ditt godkännande och väntar på {SECOND}"
            )
        elif action == "reject":
            s.exemption_group_reject(
                group=group, decided_by=request.user, body=body, reason=request.POST.get("comment", "")
            )
            done = "är avslaget"
        elif action == "revoke":
            form = forms.RevokeForm(request.POST)
            ended_on = form.cleaned_data.get("ended_on") if form.is_valid() else None
            s.exemption_group_revoke(group=group, decided_by=request.user, ended_on=ended_on)
            done = f"och alla dess avsteg är återkallade från {ended_on:%Y-%m-%d}"
        else:
            raise PermissionDenied("Okänd åtgärd.")
    except ValidationError as error:
        for m in _refusal(error):
            messages.error(request, m)
    else:
        messages.success(request, f"Gemensamt beslut {group_id} {done}.")
    return redirect(reverse("portal:exemption_group", kwargs={"group_id": group_id}))
