"""Self-service for unit managers and providers: a unit's offering (utbud), booking figures per period
(bokning) and administrative role holders (roller), with a preview of the effect before saving.

Every view starts with `unit_for_user(..., change=True)`: a unit the user may not see is a 404, a
read-only role (Ledning) gets 403 on the page and on every POST. Each page posts to itself:
`action=preview` re-renders it with the preview (works without JavaScript), `action=save` saves through
the unit's service and redirects (POST/redirect/GET) with a confirmation, `action=add_row` gives one
more empty row. The offering and role pages carry "Gäller från" (`ValidFromForm`, default today): the
save holds from that date, a past date is a correction and the confirmation says which stored dates it
judges again; the preview is always today's. The "Förhandsgranska" button also carries `hx-post` to the
page's preview endpoint, which answers only the `_preview.html` fragment.
"""

from __future__ import annotations

from celery import current_app
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal import preview as p
from portal.presentation.forms import error_summary
from portal.self_service import forms as f
from portal.self_service.selectors import booking_page, offerings_page, person_names, unit_roles
from servicelevel.validity import correction_text
from units.models import AdminRole, Offering, person_label
from units.permissions import unit_for_user
from units.rules import PERSON_ID_EXAMPLE
from units.services import FactChange, Replaced, admin_roles_replace, booking_figures_save, offerings_replace

LOCAL_PREFIX, ROLES_PREFIX = "lokala", "roller"


# --- Utbud ---------------------------------------------------------------------------------------------


def _offering_forms(request, page):
    data = request.POST if request.method == "POST" else None
    if data is not None and request.POST.get("action") == "add_row":
        data = f.with_one_more_row(data, LOCAL_PREFIX)
    form = f.OfferingsForm(
        data,
        services=page.services,
        templates=page.templates,
        channels=page.channels,
        current=page.current,
    )
    local = f.LocalOfferingFormSet(data, initial=f.local_initial(page.current), prefix=LOCAL_PREFIX)
    return form, local, f.ValidFromForm(data)


def _offering_proposal(form, local):
    """The proposed rows, or None when a form has errors (they are then on the forms)."""
    if not (form.is_valid() and local.is_valid()):
        return None
    rows, clashes = f.offering_rows(form, local)
    for row_form, message in clashes:
        row_form.add_error("code", message)
    return None if clashes else rows


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_offerings(request, hsa_id: str):
    unit = unit_for_user(request.user, hsa_id, change=True)
    page = offerings_page(unit)
    form, local, dated = _offering_forms(request, page)
    preview, refusal = None, []
    action = request.POST.get("action")
    if request.method == "POST" and action != "add_row":
        rows = _offering_proposal(form, local)
        if rows is not None and action == "save":
            if dated.is_valid():  # else its error is in the summary, and nothing is saved
                day = dated.cleaned_data["valid_from"]
                try:
                    changes = offerings_replace(unit=unit, rows=rows, actor=request.user, valid_from=day)
                except ValidationError as error:
                    refusal = _refusal(error)
                else:
                    _confirm(request, "Utbudet", changes, day=day)
                    return redirect(request.path)
        elif rows is not None:
            preview = p.preview_offerings(unit, rows)
    return render(
        request,
        "portal/self_service_offerings.html",
        _context(
            unit,
            "utbud",
            form=form,
            local=local,
            dated=dated,
            preview=preview,
            errors=refusal + error_summary(dated, form, local),
        ),
    )


@login_required
@require_POST
def unit_offerings_preview(request, hsa_id: str):
    unit = unit_for_user(request.user, hsa_id, change=True)
    form, local, _dated = _offering_forms(request, offerings_page(unit))  # the preview is today's
    rows = _offering_proposal(form, local)
    preview = p.preview_offerings(unit, rows) if rows is not None else None
    return _fragment(request, preview, error_summary(form, local))


# --- Bokning -------------------------------------------------------------------------------------------


def _booking_forms(request, page):
    choose = f.PeriodChoiceForm(initial={"period": page.period and page.period.code}, periods=page.periods)
    data = request.POST if request.method == "POST" else None
    figures = f.BookingFiguresForm(data, instance=page.figures) if page.period else None
    return choose, figures


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_booking(request, hsa_id: str):
    unit = unit_for_user(request.user, hsa_id, change=True)
    page = booking_page(unit, request.GET.get("period"))
    choose, form = _booking_forms(request, page)
    preview, refusal = None, []
    if request.method == "POST" and form is not None and form.is_valid():
        if request.POST.get("action") == "save":
            try:
                saved = booking_figures_save(figures=form.instance, actor=request.user)
            except ValidationError as error:
                refusal = _refusal(error)
            else:
                _confirm_booking(request, page.period.code, saved)
                return redirect(f"{request.path}?period={page.period.code}")
        else:
            preview = p.preview_booking(unit, page.period, form.instance)
    errors = refusal + (error_summary(form) if form is not None else [])
    return render(
        request,
        "portal/self_service_booking.html",
        _context(unit, "bokning", page=page, choose=choose, form=form, preview=preview, errors=errors),
    )


@login_required
@require_POST
def unit_booking_preview(request, hsa_id: str):
    unit = unit_for_user(request.user, hsa_id, change=True)
    page = booking_page(unit, request.GET.get("period"))
    _choose, form = _booking_forms(request, page)
    if form is None:
        return _fragment(request, None, [("", "Det finns ingen tidbokningsschemaperiod att rapportera för.")])
    preview = p.preview_booking(unit, page.period, form.instance) if form.is_valid() else None
    return _fragment(request, preview, error_summary(form))


# --- Roller --------------------------------------------------------------------------------------------


def _role_forms(request, unit):
    """The roles formset, and the unit's role holders it starts from (with their names)."""
    data = request.POST if request.method == "POST" else None
    if data is not None and request.POST.get("action") == "add_row":
        data = f.with_one_more_row(data, ROLES_PREFIX)
    current = unit_roles(unit)
    roles = f.RoleFormSet(data, initial=f.role_initial(current), prefix=ROLES_PREFIX)
    return roles, current, f.ValidFromForm(data)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_roles_edit(request, hsa_id: str):
    unit = unit_for_user(request.user, hsa_id, change=True)
    roles, current, dated = _role_forms(request, unit)
    names = person_names(current, roles.person_ids())  # shown beside each row and in the confirmation
    preview, refusal = None, []
    action = request.POST.get("action")
    if request.method == "POST" and action != "add_row" and roles.is_valid():
        if action == "save":
            if dated.is_valid():
                day = dated.cleaned_data["valid_from"]
                try:
                    changes = admin_roles_replace(
                        unit=unit, rows=roles.rows(), actor=request.user, valid_from=day
                    )
                except ValidationError as error:
                    refusal = _refusal(error)
                else:
                    _confirm(request, "Rollerna", changes, names, day=day)
                    return redirect(request.path)
        else:
            preview = p.preview_roles(unit, roles.rows())
    roles.show_names(names)
    return render(
        request,
        "portal/self_service_roles.html",
        _context(
            unit,
            "roller",
            roles=roles,
            dated=dated,
            preview=preview,
            errors=refusal + error_summary(dated, roles),
            person_id_example=PERSON_ID_EXAMPLE,
        ),
    )


@login_required
@require_POST
def unit_roles_preview(request, hsa_id: str):
    unit = unit_for_user(request.user, hsa_id, change=True)
    roles, _current, _dated = _role_forms(request, unit)  # the preview is today's
    preview = p.preview_roles(unit, roles.rows()) if roles.is_valid() else None
    return _fragment(request, preview, error_summary(roles))


# --- Shared --------------------------------------------------------------------------------------------

PAGES = (
    ("utbud", "portal:unit_offerings", "Utbud"),
    ("bokning", "portal:unit_booking", "Bokningsuppgifter"),
    ("roller", "portal:unit_roles", "Administrativa roller"),
)


def _context(unit, current: str, **extra) -> dict:
    tabs = [
        {"key": key, "label": label, "url": reverse(name, args=[unit.hsa_id]), "current": key == current}
        for key, name, label in PAGES
    ]
    return {"unit": unit, "tabs": tabs, "page_key": current, **extra}


def _fragment(request, preview, errors):
    return render(request, "portal/_preview.html", {"preview": preview, "errors": errors, "fragment": True})


def _refusal(error: ValidationError) -> list[tuple[str, str]]:
    """A rule the service refused on, for the error summary (the forms check the same rules first, so
    this is rare: e.g. a row changed by someone else in between)."""
    return [("", "Ändringen sparades inte: " + "; ".join(error.messages))]


def _recomputed() -> str:
    # With tasks in-process (no REDIS_URL) the recompute ran when the change was committed; with a
    # worker it is queued and runs a few seconds later.
    if current_app.conf.task_always_eager:
        return "Enhetens resultat har räknats om."
    return "Enhetens resultat räknas om inom några sekunder."


KIND_WORDS = {Offering.Kind.TJANST: "tjänsten", Offering.Kind.MALL: "mallen", Offering.Kind.KANAL: "kanalen"}
ROLE_WORDS = {value: label.lower() for value, label in AdminRole.Role.choices}
ACTION_WORDS = {"added": "Tillagd", "changed": "Ändrad", "removed": "Borttagen"}


def change_lines(changes: list[FactChange], names: dict[str, str] | None = None) -> list[str]:
    """One Swedish line per change: "Tillagd: tjänsten KONTAKT", "Borttagen: lokal administratör Anna
    Svensson (SE2321000255-P1234)" (a role holder by `person_label`, with the name when `names` has it)."""
    lines = []
    for c in changes:
        if c.kind in KIND_WORDS:
            what = f"{KIND_WORDS[c.kind]} {c.code}"
            if c.fields:
                what += " (" + ", ".join(_field_word(name) for name in c.fields) + ")"
        else:
            what = f"{ROLE_WORDS.get(c.kind, c.kind)} {person_label(c.code, (names or {}).get(c.code))}"
        lines.append(f"{ACTION_WORDS[c.action]}: {what}")
    return lines


def _field_word(name: str) -> str:
    field = Offering._meta.get_field(name.removesuffix("_id"))
    return str(field.verbose_name)


def _confirm(
    request, what: str, changes: list[FactChange], names: dict[str, str] | None = None, *, day=None
) -> None:
    if not changes:
        messages.info(request, f"{what}: inget ändrades, så inget sparades.")
        return
    body = "; ".join(change_lines(changes, names))
    # A change from a past date is a correction: which stored dates it judges again (validity.py's words).
    dates = correction_text(changes.altered, day) if isinstance(changes, Replaced) else ""
    correction = f" Ändringen {dates}." if dates else ""
    messages.success(request, f"{what} sparades. {body}.{correction} {_recomputed()}")


def _confirm_booking(request, period: str, saved) -> None:
    if not saved.changed:
        messages.info(request, f"Bokningsuppgifterna för {period}: inget ändrades, så inget sparades.")
        return
    if saved.created:
        body = "nya uppgifter sparade"
    else:
        labels = {name: str(saved.obj._meta.get_field(name).verbose_name) for name in saved.changes}
        body = "; ".join(
            f"{labels[n]}: {_plain(old)} → {_plain(new)}" for n, (old, new) in saved.changes.items()
        )
    messages.success(request, f"Bokningsuppgifterna för {period} sparades ({body}). {_recomputed()}")


def _plain(value) -> str:
    return str(value).replace(".", ",")
