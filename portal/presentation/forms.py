"""What every portal form shares in how it looks."""


class DesignSystemMixin:
    """Every widget gets Designsystemet's input class (text, select and checkbox alike)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "ds-input")


def error_summary(*forms) -> list[tuple[str, str]]:
    """(field id to link to, message) for the one error summary partial (portal/_form_error_summary.html):
    every field error of every bound form and formset row, and the non-field errors, in page order."""
    items = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        if hasattr(form, "forms"):  # a formset
            items += [("", message) for message in form.non_form_errors()]
            for number, row in enumerate(form.forms, start=1):
                if form.can_delete and form._should_delete_form(row):
                    continue
                items += [(anchor, f"Rad {number}: {text}") for anchor, text in _form_errors(row)]
        else:
            items += _form_errors(form)
    return items


def _form_errors(form) -> list[tuple[str, str]]:
    if form.is_valid():
        return []
    items = [("", message) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        if name in form.fields:
            items += [(form[name].auto_id, f"{form[name].label}: {message}") for message in errors]
        else:  # an error a view added under a name that is no field: shown, linked to nothing
            items += [("", message) for message in errors]
    return items
