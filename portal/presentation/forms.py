"""What every portal form shares in how it looks."""


class DesignSystemMixin:
    """Every widget gets Designsystemet's input class (text, select and checkbox alike)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "ds-input")
