"""The exemption workflow at /avsteg/ (§2.1.2): the list with worklists, a proposal (/avsteg/ny/), one
exemption with its decisions and history (/avsteg/<id>/), and the booking systems' capabilities with
common decisions (/avsteg/system/).

Every view starts with an access helper (`exemption_for_user`, `group_for_user`: 404 for what the user may
not see); a read-only role gets 403 on every POST; each state change is one service in
`exemptions/services.py`, which checks the state and the person again and says in Swedish why it refuses.
Buttons are shown only to who may use them; the server decides regardless.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from compliance.services import today
from exemptions import services as s
from exemptions.models import FollowUp
from portal import exemption_forms as forms
from portal.selectors import exemptions as sel
from units.permissions import (
    approval_body,
    changeable_units,
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


def _approver(user) -> str:
    body = approval_body(user)
    if body is None:
        raise PermissionDenied(
            "Bara Koncernstab kommunikation och Hälso- och sjukvårdsstyrning beslutar om avsteg."
        )
    return body


# --- List and proposal ------------------------------------------------------------------------------------


@login_required
def exemption_list(request):
    page = sel.list_page(
        request.user,
        today=today(),
        status=request.GET.get("status", ""),
        page_number=request.GET.get("sida", 1),
    )
    may_propose = not is_read_only(request.user) and changeable_units(request.user).exists()
    return render(
        request,
        "portal/exemptions_list.html",
        {"page": page, "may_propose": may_propose, "sees_everything": sees_everything(request.user)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def exemption_new(request):
    _may_write(request.user)
    units = changeable_units(request.user)
    if request.method == "POST" and not units.exists():
        # The page (GET) says who proposes; a proposal from someone with no unit to propose for is refused.
        raise PermissionDenied("Du har inga enheter att föreslå avsteg för.")
    initial = {}
    if request.method == "GET" and request.GET.get("enhet"):
        chosen = units.filter(hsa_id=request.GET["enhet"]).first()
        initial["unit"] = chosen.pk if chosen else None
    form = forms.ProposalForm(
        request.POST if request.method == "POST" else None, units=units, today=today(), initial=initial
    )
    errors = []
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
            )
        except ValidationError as error:
            errors = _field_errors(form, error)
        else:
            ids = ", ".join(e.exemption_id for e in made)
            if submit:
                messages.success(
                    request, f"Avsteg {ids} är inskickat och väntar på Koncernstab kommunikations beslut."
                )
            else:
                messages.success(
                    request, f"Avsteg {ids} är sparat som utkast. Skicka in det när det är klart."
                )
            return redirect("portal:exemption_detail", exemption_id=made[0].exemption_id)
    return render(
        request,
        "portal/exemptions_new.html",
        {"form": form, "errors": errors + _form_errors(form), "no_units": not units.exists()},
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


def _form_errors(form) -> list[tuple[str, str]]:
    return [
        (
            form[name].auto_id if name in form.fields else "",
            f"{form[name].label if name in form.fields else ''}: {e}".lstrip(": "),
        )
        for name, errs in form.errors.items()
        for e in errs
    ]


# --- One exemption --------------------------------------------------------------------------------------


@never_cache
@login_required
def exemption_detail(request, exemption_id: str):
    exemption = sel.exemption_for_user(request.user, exemption_id)
    page = sel.detail_page(
        request.user,
        exemption,
        may_change=not is_read_only(request.user) and may_change_unit(request.user, exemption.unit),
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
            messages.success(request, f"Avsteg {exemption_id} är avslaget.")
        elif exemption.status == s.Status.APPROVED:
            messages.success(
                request,
                f"Avsteg {exemption_id} är godkänt av båda och gäller {exemption.valid_from:%Y-%m-%d}–"
                f"{exemption.valid_until:%Y-%m-%d}; enhetens resultat är omräknade.",
            )
        else:
            messages.success(
                request,
                f"Ditt godkännande är sparat; avsteg {exemption_id} väntar nu på "
                "Hälso- och sjukvårdsstyrning.",
            )
    return _back(exemption_id)


@login_required
@require_POST
def exemption_submit(request, exemption_id: str):
    exemption = sel.exemption_for_user(request.user, exemption_id)
    _may_write(request.user)
    if not (exemption.proposed_by_id == request.user.pk or may_change_unit(request.user, exemption.unit)):
        raise PermissionDenied("Bara den som föreslagit avsteget eller enhetens ansvariga kan skicka in det.")
    try:
        s.exemption_submit(exemption=exemption, actor=request.user)
    except ValidationError as error:
        for m in _refusal(error):
            messages.error(request, m)
    else:
        messages.success(
            request, f"Avsteg {exemption_id} är inskickat och väntar på Koncernstab kommunikations beslut."
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
    follow_up = get_object_or_404(FollowUp, pk=pk, exemption=exemption)
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
@require_http_methods(["GET", "POST"])
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
            "errors": errors + _form_errors(form),
            "may_edit": may_edit,
            "may_propose": approval_body(request.user) is not None,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def group_new(request):
    _region_wide(request.user)
    _may_write(request.user)
    _approver(request.user)
    initial = {k: request.GET[k] for k in ("booking_system",) if k in request.GET}
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
            )
        except ValidationError as error:
            errors = _field_errors(form, error)
        else:
            messages.success(
                request,
                f"Gemensamt beslut {group.group_id} är "
                + (
                    "inskickat och väntar på Koncernstab kommunikations beslut."
                    if submit
                    else "sparat som utkast."
                ),
            )
            return redirect("portal:exemption_group", group_id=group.group_id)
    return render(
        request, "portal/exemptions_group_new.html", {"form": form, "errors": errors + _form_errors(form)}
    )


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
    """Skicka in, Godkänn, Avslå and Återkalla alla for a common decision (`action`)."""
    group = sel.group_for_user(request.user, group_id)
    _may_write(request.user)
    body = _approver(request.user)
    action = request.POST.get("action")
    try:
        if action == "submit":
            s.exemption_group_submit(group=group, actor=request.user)
            done = "är inskickat"
        elif action == "approve":
            comment = request.POST.get("comment", "")
            s.exemption_group_approve(group=group, decided_by=request.user, body=body, comment=comment)
            done = (
                f"är godkänt av båda; {group.exemptions.count()} avsteg har skapats och resultaten räknas om"
                if group.status == s.Status.APPROVED
                else "har ditt godkännande och väntar på Hälso- och sjukvårdsstyrning"
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
