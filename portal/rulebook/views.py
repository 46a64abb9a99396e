"""The rulebook in the portal (/regelverk/, issue 15 point 5): the region's versions in force, coming and
past; one version with its requirements, catalogue and profiles, and its file to download. Koncernstab
kommunikation drafts a new version from one (a requirement's parameters, a requirement added or removed,
a profile's lists, or the whole file), previews its effect on today's facts, publishes it with the day it
is in force from, and uploads a file checked as `load_rulebook` checks it. Every other role reads.

Every view starts with an access helper from `portal.rulebook.selectors` (403 for a role that may not,
404 for what is not there); every write is one service in `servicelevel/rulebook_drafts.py` or
`servicelevel/rulebooks.py`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from compliance.rulebook_effect import effect
from compliance.services import today
from portal.presentation.forms import error_summary
from portal.rulebook import forms
from portal.rulebook import selectors as sel
from servicelevel import rulebook_drafts as drafts
from servicelevel import rulebook_file as rf
from servicelevel import rulebooks
from units.permissions import may_keep_rulebook


def _draft_context(draft, **more) -> dict:
    parsed = drafts.draft_file(draft)
    return {
        "draft": draft,
        "parsed": parsed,
        "label": f"{parsed.decision.number} version {parsed.decision.version}",
        **more,
    }


@never_cache
@login_required
@require_safe
def rulebook_list(request):
    sel.reader(request.user)
    keeps = may_keep_rulebook(request.user)
    return render(
        request,
        "portal/rulebook_list.html",
        {
            "versions": sel.version_rows(today()),
            "drafts": sel.draft_rows() if keeps else [],
            "keeps": keeps,
            "today": today(),
        },
    )


@never_cache
@login_required
@require_safe
def version(request, pk: int):
    decision = sel.decision_for_user(request.user, pk)
    return render(
        request,
        "portal/rulebook_version.html",
        {
            "decision": decision,
            "page": sel.version_page(decision),
            "in_force": sel.is_in_force(decision, today()),
            "keeps": may_keep_rulebook(request.user),
        },
    )


@login_required
@require_safe
def version_file(request, pk: int):
    decision = sel.decision_for_user(request.user, pk)
    response = HttpResponse(
        rf.dump(rulebooks.file_of(decision)), content_type="application/yaml; charset=utf-8"
    )
    name = f"{decision.region_code}-{decision.number}-{decision.version or 'utan-version'}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def draft_new(request, pk: int):
    sel.keeper(request.user)
    decision = sel.decision_for_user(request.user, pk)
    draft = drafts.draft_create(decision=decision, actor=request.user)
    messages.success(request, f"Utkastet är skapat från {decision.label}.")
    return redirect("portal:rulebook_draft", pk=draft.pk)


@never_cache
@login_required
def upload(request):
    sel.keeper(request.user)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["file"].name
        try:
            rulebook, stored = rulebooks.read(form.cleaned_data["text"], name)
        except rf.RulebookRefused as refused:
            problems = refused.lines()
        else:
            loaded = rulebooks.load(rulebook, actor=request.user, source=f"portalen ({name})")
            if loaded.created:
                messages.success(request, f"{loaded.decision.label} är inläst.")
            else:
                messages.info(request, f"{loaded.decision.label} finns redan med samma innehåll: oförändrad.")
            return redirect("portal:rulebook_version", pk=loaded.decision.pk)
    return render(
        request,
        "portal/rulebook_upload.html",
        {"form": form, "problems": problems, "errors": error_summary(form)},
    )


@never_cache
@login_required
@require_safe
def draft(request, pk: int):
    d = sel.draft_for_user(request.user, pk)
    context = _draft_context(d)
    page = sel.rulebook_page(context["parsed"])
    editable = None if d.published else d  # the tables link to the change pages while the draft is open
    return render(request, "portal/rulebook_draft.html", {**context, "page": page, "editable": editable})


@never_cache
@login_required
def draft_text(request, pk: int):
    d = sel.draft_for_user(request.user, pk)
    form = forms.TextForm(request.POST or None, initial={"text": d.text})
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            drafts.draft_change(
                draft=d, text=form.cleaned_data["text"], actor=request.user, change={"change": "fil"}
            )
        except drafts.DraftRefused as refusal:
            problems = refusal.lines
        else:
            messages.success(request, "Filen är sparad.")
            return redirect("portal:rulebook_draft", pk=d.pk)
    return render(request, "portal/rulebook_draft_text.html", _draft_context(d, form=form, problems=problems))


def _words(parameters: dict) -> str:
    """Parameters as the audit trail shows them: "threshold = 0.9, working_days = 2"."""
    return ", ".join(f"{name} = {value}" for name, value in parameters.items()) or "–"


def _requirement_or_404(parsed: rf.RulebookFile, code: str) -> rf.Requirement:
    requirement = parsed.requirement(code)
    if requirement is None:
        raise Http404("Kravet finns inte i utkastet.")
    return requirement


@never_cache
@login_required
def draft_requirement(request, pk: int, code: str):
    d = sel.draft_for_user(request.user, pk)
    parsed = drafts.draft_file(d)
    requirement = _requirement_or_404(parsed, code)
    form = forms.RequirementForm(request.POST or None, rulebook=parsed, requirement=requirement)
    problems = []
    if request.method == "POST" and form.is_valid():
        changed = form.requirement_record()
        try:
            drafts.draft_change(
                draft=d,
                rulebook=drafts.with_requirement(parsed, changed, replacing=code),
                actor=request.user,
                change={
                    "change": "krav ändrat",
                    "requirement": code,
                    "parameters": _words(changed.parameters),
                },
            )
        except drafts.DraftRefused as refusal:
            problems = refusal.lines
        else:
            messages.success(request, f"{code} är ändrat i utkastet.")
            return redirect("portal:rulebook_draft", pk=d.pk)
    return render(
        request,
        "portal/rulebook_draft_requirement.html",
        _draft_context(
            d,
            form=form,
            requirement=requirement,
            line=sel.requirement_line(requirement, ""),
            problems=problems,
            errors=error_summary(form),
        ),
    )


@never_cache
@login_required
def draft_requirement_new(request, pk: int):
    d = sel.draft_for_user(request.user, pk)
    parsed = drafts.draft_file(d)
    kind_form = forms.KindForm(request.GET if "kind" in request.GET else None)
    kind = kind_form.cleaned_data["kind"] if kind_form.is_bound and kind_form.is_valid() else None
    if request.method == "POST":
        kind_form = forms.KindForm(request.POST)
        if not kind_form.is_valid():
            return redirect("portal:rulebook_draft_requirement_new", pk=d.pk)
        kind = kind_form.cleaned_data["kind"]
    form = forms.RequirementForm(request.POST or None, rulebook=parsed, kind=kind) if kind else None
    problems = []
    if form is not None and request.method == "POST" and form.is_valid():
        added = form.requirement_record()
        try:
            drafts.draft_change(
                draft=d,
                rulebook=drafts.with_requirement(parsed, added),
                actor=request.user,
                change={"change": "krav tillagt", "requirement": added.code, "kind": added.kind},
            )
        except drafts.DraftRefused as refusal:
            problems = refusal.lines
        else:
            messages.success(request, f"{added.code} är tillagt i utkastet.")
            return redirect("portal:rulebook_draft", pk=d.pk)
    return render(
        request,
        "portal/rulebook_draft_requirement_new.html",
        _draft_context(
            d,
            kind_form=kind_form,
            kind=kind,
            form=form,
            problems=problems,
            errors=error_summary(form) if form else [],
        ),
    )


@login_required
@require_POST
def draft_requirement_remove(request, pk: int, code: str):
    d = sel.draft_for_user(request.user, pk)
    parsed = drafts.draft_file(d)
    _requirement_or_404(parsed, code)
    try:
        drafts.draft_change(
            draft=d,
            rulebook=drafts.without_requirement(parsed, code),
            actor=request.user,
            change={"change": "krav borttaget", "requirement": code},
        )
    except drafts.DraftRefused as refusal:
        messages.error(request, f"{code} kan inte tas bort: " + " ".join(refusal.lines))
    else:
        messages.success(request, f"{code} är borttaget ur utkastet.")
    return redirect("portal:rulebook_draft", pk=d.pk)


@never_cache
@login_required
def draft_profile(request, pk: int, code: str):
    d = sel.draft_for_user(request.user, pk)
    parsed = drafts.draft_file(d)
    if code not in parsed.profiles:
        raise Http404("Profilen finns inte i utkastet.")
    form = forms.ProfileForm(request.POST or None, rulebook=parsed, code=code)
    problems = []
    if request.method == "POST" and form.is_valid():
        services, channels = form.lists()
        try:
            drafts.draft_change(
                draft=d,
                rulebook=drafts.with_profile(parsed, code, services, channels),
                actor=request.user,
                change={
                    "change": "profil ändrad",
                    "profile": code,
                    "services": services,
                    "channels": channels,
                },
            )
        except drafts.DraftRefused as refusal:
            problems = refusal.lines
        else:
            messages.success(request, f"Profilen {code} är ändrad i utkastet.")
            return redirect("portal:rulebook_draft", pk=d.pk)
    return render(
        request,
        "portal/rulebook_draft_profile.html",
        _draft_context(d, form=form, code=code, problems=problems),
    )


@never_cache
@login_required
@require_safe
def draft_effect(request, pk: int):
    """Today's facts judged under the version in force and under the draft, inline: about two
    evaluations of the region (a few seconds for 2,000 units), which is acceptable for a page Koncernstab
    opens before publishing; a background job would be the next step if regions grow."""
    d = sel.draft_for_user(request.user, pk)
    parsed = drafts.draft_file(d)
    as_of = today()
    result = effect(parsed, as_of)
    return render(
        request,
        "portal/rulebook_draft_effect.html",
        _draft_context(d, effect=sel.effect_page(result, sel.file_in_force(as_of), parsed), as_of=as_of),
    )


@never_cache
@login_required
def draft_publish(request, pk: int):
    d = sel.draft_for_user(request.user, pk)
    form = forms.PublishForm(request.POST or None, today=today())
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            loaded = drafts.draft_publish(
                draft=d, in_force_from=form.cleaned_data["in_force_from"], actor=request.user, today=today()
            )
        except drafts.DraftRefused as refusal:
            problems = refusal.lines
        else:
            messages.success(
                request,
                f"{loaded.decision.label} är publicerad och gäller från "
                f"{loaded.decision.in_force_from:%Y-%m-%d}.",
            )
            return redirect("portal:rulebook_version", pk=loaded.decision.pk)
    return render(
        request,
        "portal/rulebook_draft_publish.html",
        _draft_context(d, form=form, problems=problems, errors=error_summary(form)),
    )


@login_required
@require_POST
def draft_delete(request, pk: int):
    d = sel.draft_for_user(request.user, pk)
    try:
        drafts.draft_delete(draft=d, actor=request.user)
    except drafts.DraftRefused as refusal:
        messages.error(request, " ".join(refusal.lines))
        return redirect("portal:rulebook_draft", pk=d.pk)
    messages.success(request, "Utkastet är borttaget.")
    return redirect("portal:rulebook_list")
