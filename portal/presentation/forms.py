"""What every portal form shares in how it looks."""


class DesignSystemMixin:
    """Every widget gets Designsystemet's input class (text, select and checkbox alike)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "ds-input")


def summary_errors(form) -> list[tuple[str, str]]:
    """A form's errors for the error summary (`portal/_form_error_summary.html`), as (field id, text): the
    form's own errors first, then each field's in the form's order, named by its label; [] for a form
    not sent."""
    if form is None or not form.is_bound:
        return []
    items = [("", message) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        if name in form.fields:
            items += [(form[name].auto_id, f"{form[name].label}: {message}") for message in errors]
        else:
            items += [("", message) for message in errors]
    return items
