"""`{% region "region_name" %}`: the region's words where a template renders without a request (the
e-mails, rendered by a task) and so without the context processor; `|css_string` writes a text into a
stylesheet (the PDFs' running header and footer)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from servicelevel.region_texts import texts

register = template.Library()


@register.simple_tag
def region(name: str) -> str:
    """One of the names the context processor gives (servicelevel/region_texts.py), for today."""
    return texts().context()[name]


@register.filter
def css_string(value) -> str:
    """A quoted CSS string: quotes, backslashes, line breaks and "<" (which could end the <style>) as CSS
    escapes, so a region's or a decision's name cannot break out of the `content:` it is written into."""
    out = []
    for char in str(value):
        if char in "\"'\\<>&" or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return mark_safe('"' + "".join(out) + '"')
