"""Post an admin page the way a browser would: read the form's current values from the page, change some,
send them back. Keeps the tests about behaviour, not about the admin's field names and formset prefixes."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.data: dict[str, object] = {}
        self._select: str | None = None
        self._select_multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in a
            if self._select_multiple:
                self.data[name] = []
        elif tag == "option" and self._select and "selected" in a:
            if self._select_multiple:
                self.data[self._select].append(a.get("value", ""))
            else:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n") if not self.data[self._textarea] else data


def form_data(client, url: str) -> dict:
    """The values an admin change (or add) page would send unchanged, management forms included."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    reader = _FormReader()
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    return {k: v for k, v in reader.data.items() if v is not None}


def add_inline_row(data: dict, prefix: str, values: dict) -> dict:
    """Fill the next empty row of an inline formset (`prefix`, e.g. 'admin_roles')."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for key, value in values.items():
        data[f"{prefix}-{index}-{key}"] = value
    return data
