"""The action plan (handlingsplan, §4) at /handlingsplan/ and its edit pages: activities with progress
notes, target shares, the phase-out of local services and templates, obstacle reports and their answers.

Each view: rights first (`units.permissions` and the plan's access helpers in
`portal/actionplan/selectors.py` — 404 for what the user may not see, 403 for a change the user may not
make, Ledning gets 403 on every POST), then one form → one service in `actionplan/services.py` → a
redirect back to the plan with a confirmation (POST/redirect/GET). Who may do what: docs/actionplan.md.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from actionplan import services
from actionplan.models import Activity
from exemptions.models import ExemptionApproval
from portal.actionplan.forms import (
    ActivityForm,
    AnswerForm,
    NoteForm,
    ObstacleForm,
    PhaseOutForm,
    PlanChoiceForm,
    TargetForm,
    parse_scope,
    scope_value,
)
from portal.actionplan.selectors import (
    action_plan,
    activity_choices,
    activity_for_user,
    activity_notes,
    answer_choices,
    answer_initial,
    linked_activities,
    local_offering_for_user,
    may_add_activity,
    may_change_activity,
    may_report_obstacles,
    obstacle_for_user,
    period_for,
    reportable_areas,
    target_for_user,
)
from portal.as_of import as_of_from
from portal.presentation.forms import error_summary
from servicelevel.signals import fact_changes
from units.permissions import (
    area_for_user,
    forvaltning_for_user,
    is_read_only,
    may_answer_obstacles,
    may_plan_regionally,
)

# --- helpers ---------------------------------------------------------------------------------------------


def _plan_url(period=None, forvaltning=None, vardomrade=None, anchor: str = "") -> str:
    query = []
    if period is not None:
        query.append(f"period={period.code}")
    scope = scope_value(forvaltning, vardomrade)
    if scope != "region":
        query.append(f"omfattning={scope}")
    return (
        reverse("portal:actionplan")
        + ("?" + "&".join(query) if query else "")
        + (f"#{anchor}" if anchor else "")
    )


def _refused(form, error: ValidationError) -> None:
    """A rule the service refused on, shown on the form (on its field when the form has it)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _refuse_read_only(user) -> None:
    if is_read_only(user):
        raise PermissionDenied("Din roll kan läsa handlingsplanen men inte ändra den.")


# --- the plan --------------------------------------------------------------------------------------------


@login_required
@require_safe
def plan(request):
    as_of = as_of_from(request, earliest=False)  # the plan reads no stored results
    day = as_of.requested
    try:
        kind, number = parse_scope(request.GET.get("omfattning", ""))
    except ValueError:
        raise Http404("Okänd omfattning.") from None
    vardomrade = area_for_user(request.user, number) if kind == "omrade" else None
    forvaltning = forvaltning_for_user(request.user, number) if kind == "forvaltning" else None
    period = period_for(request.GET.get("period", "").strip(), day)
    page = action_plan(request.user, period=period, forvaltning=forvaltning, vardomrade=vardomrade, as_of=day)
    choose = PlanChoiceForm(
        initial={"period": period and period.code, "omfattning": scope_value(forvaltning, vardomrade)},
        periods=page.periods,
        areas=page.areas,
    )
    context = {"as_of": as_of, "plan": page, "choose": choose}
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "portal/_actionplan_plan.html", context)
    return render(request, "portal/actionplan.html", context)


# --- activities ------------------------------------------------------------------------------------------


def _activity_form(request, activity: Activity, data=None):
    day = activity.period.start_date if activity.period_id else as_of_from(request, earliest=False).requested
    choices = activity_choices(request.user, day=day)
    return ActivityForm(
        data,
        instance=activity,
        areas=choices.areas,
        regional=choices.regional,
        allowed_units=choices.allowed_units,
        visible_exemptions=choices.visible_exemptions,
        requirements=choices.requirements,
    )


def _save_activity(request, form) -> bool:
    activity = form.apply_scope()
    try:
        saved = services.activity_save(
            activity=activity,
            actor=request.user,
            requirements=[r.pk for r in form.cleaned_data["requirements"]],
            units=form.cleaned_data["unit_ids"],
            exemptions=form.cleaned_data["exemption_ids"],
        )
    except ValidationError as error:
        _refused(form, error)
        return False
    messages.success(
        request, f"Aktiviteten ”{activity.title}” {'lades till' if saved.created else 'sparades'}."
    )
    return True


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activity_new(request):
    _refuse_read_only(request.user)
    if not may_add_activity(request.user):
        raise PermissionDenied("Du har inga enheter att planera aktiviteter för.")
    period = period_for(request.GET.get("period", "").strip(), as_of_from(request, earliest=False).requested)
    form = _activity_form(request, Activity(period=period), request.POST or None)
    if not request.POST and request.GET.get("omfattning"):
        form.initial["omfattning"] = request.GET["omfattning"]
    if request.method == "POST" and form.is_valid() and _save_activity(request, form):
        a = form.instance
        return redirect(_plan_url(a.period, a.forvaltning, a.vardomrade, "aktiviteter"))
    return render(
        request,
        "portal/actionplan_activity.html",
        {"form": form, "activity": None, "errors": error_summary(form)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activity_edit(request, pk: int):
    """The activity with its notes; for those who may change it, its form, a note form and "Ta bort"."""
    activity = activity_for_user(request.user, pk)  # 404 first, whatever the method
    action = request.POST.get("action", "save")
    if request.method == "POST":
        _refuse_read_only(request.user)
        activity_for_user(request.user, pk, change=True)  # 403 for one who may see but not change it
    may_change = not is_read_only(request.user) and may_change_activity(request.user, activity)
    back = _plan_url(activity.period, activity.forvaltning, activity.vardomrade, "aktiviteter")
    form = (
        _activity_form(
            request, activity, request.POST if request.method == "POST" and action == "save" else None
        )
        if may_change
        else None
    )
    note = NoteForm(request.POST if action == "note" else None)
    if request.method == "POST":
        if action == "delete":
            services.activity_delete(activity=activity, actor=request.user)
            messages.success(request, f"Aktiviteten ”{activity.title}” togs bort.")
            return redirect(back)
        if action == "note" and note.is_valid():
            services.activity_note_add(activity=activity, text=note.cleaned_data["text"], actor=request.user)
            messages.success(request, "Lägesanteckningen sparades.")
            return redirect(request.path)
        if action == "save" and form.is_valid() and _save_activity(request, form):
            return redirect(back)
    return render(
        request,
        "portal/actionplan_activity.html",
        {
            "form": form,
            "activity": activity,
            "notes": activity_notes(activity),
            "note": note,
            "back": back,
            "errors": error_summary(form),
            "note_errors": error_summary(note),
        },
    )


# --- targets ---------------------------------------------------------------------------------------------


def _refuse_unless_planner(user) -> None:
    _refuse_read_only(user)
    if not may_plan_regionally(user):
        raise PermissionDenied(
            f"Bara Koncernstab kommunikation och {ExemptionApproval.Body.HS_STYRNING.label} ändrar mål."
        )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def target_new(request):
    _refuse_unless_planner(request.user)
    initial = {}
    period = period_for(request.GET.get("period", "").strip(), as_of_from(request, earliest=False).requested)
    if period:
        initial["period"] = period
    form = TargetForm(request.POST or None, initial=initial)
    return _target_page(request, form)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def target_edit(request, pk: int):
    target = target_for_user(request.user, pk)  # 404 for an outsider, 403 for a non-planner
    _refuse_unless_planner(request.user)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.target_delete(target=target, actor=request.user)
        messages.success(request, f"Målet för {target.requirement.code} i {target.vardomrade} togs bort.")
        return redirect(_plan_url(target.period, None, None, "mal"))
    return _target_page(request, TargetForm(request.POST or None, instance=target))


def _target_page(request, form):
    if request.method == "POST" and form.is_valid():
        target = form.save_target()
        try:
            with fact_changes():  # the area's units are recomputed once, after the save
                saved = services.target_save(target=target, actor=request.user)
        except ValidationError as error:
            _refused(form, error)
        else:
            if saved.changed:
                messages.success(
                    request,
                    f"Målet för {target.requirement.code} i {target.vardomrade} sparades; "
                    "vårdområdets enheter räknas om.",
                )
            else:
                messages.info(request, "Inget ändrades, så inget sparades.")
            return redirect(_plan_url(target.period, None, None, "mal"))
    return render(
        request,
        "portal/actionplan_target.html",
        {"form": form, "target": form.instance if form.instance.pk else None, "errors": error_summary(form)},
    )


# --- phase-out -------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def phase_out_edit(request):
    unit, phase_out = local_offering_for_user(
        request.user, request.GET.get("enhet", ""), request.GET.get("slag", ""), request.GET.get("kod", "")
    )
    back = _plan_url(None, None, unit.vardomrade, "utfasning")
    if request.method == "POST" and request.POST.get("action") == "delete" and phase_out.pk:
        services.phase_out_delete(phase_out=phase_out, actor=request.user)
        messages.success(request, f"Utfasningsplanen för ”{phase_out.code}” vid {unit.name} togs bort.")
        return redirect(back)
    form = PhaseOutForm(request.POST or None, instance=phase_out)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.phase_out_save(phase_out=form.instance, actor=request.user)
        except ValidationError as error:
            _refused(form, error)
        else:
            if saved.changed:
                messages.success(request, f"Utfasningen av ”{phase_out.code}” vid {unit.name} sparades.")
            return redirect(back)
    return render(
        request,
        "portal/actionplan_phase_out.html",
        {"form": form, "unit": unit, "phase_out": phase_out, "back": back, "errors": error_summary(form)},
    )


# --- obstacles -------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def obstacle_new(request):
    _refuse_read_only(request.user)
    if not may_report_obstacles(request.user):
        raise PermissionDenied("Du har inget vårdområde att rapportera hinder för.")
    initial = {}
    kind, number = _scope_or_region(request.GET.get("omfattning", ""))
    if kind == "omrade":
        initial["vardomrade"] = area_for_user(request.user, number, change=True)
    form = ObstacleForm(request.POST or None, areas=reportable_areas(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        obstacle = form.instance
        try:
            services.obstacle_report(obstacle=obstacle, actor=request.user)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Hindret ”{obstacle.title}” är rapporterat till Koncernkontoret.")
            return redirect(_plan_url(None, None, obstacle.vardomrade, "hinder"))
    return render(
        request, "portal/actionplan_obstacle_new.html", {"form": form, "errors": error_summary(form)}
    )


def _scope_or_region(text: str):
    try:
        return parse_scope(text)
    except ValueError:
        return "region", None


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def obstacle_detail(request, pk: int):
    obstacle = obstacle_for_user(request.user, pk)  # 404 first, whatever the method
    may_answer = may_answer_obstacles(request.user)
    if request.method == "POST" and (is_read_only(request.user) or not may_answer):
        raise PermissionDenied("Bara Koncernstab kommunikation besvarar hinder.")
    form = None
    if may_answer:
        initial = answer_initial(obstacle)
        activities = answer_choices(obstacle)
        form = AnswerForm(request.POST or None, initial=initial, activities=activities)
        if request.method == "POST" and form.is_valid():
            try:
                services.obstacle_answer(
                    obstacle=obstacle,
                    answer=form.cleaned_data["answer"],
                    status=form.cleaned_data["status"],
                    activities=[a.pk for a in form.cleaned_data["activities"]],
                    actor=request.user,
                )
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, f"Svaret på ”{obstacle.title}” sparades.")
                return redirect(_plan_url(None, None, obstacle.vardomrade, "hinder"))
    linked = linked_activities(request.user, obstacle)
    return render(
        request,
        "portal/actionplan_obstacle.html",
        {
            "obstacle": obstacle,
            "form": form,
            "linked": linked,
            "back": _plan_url(None, None, obstacle.vardomrade, "hinder"),
            "errors": error_summary(form),
        },
    )
