"""`{% page_part "name" %}…{% endpage_part %}`: a part of base.html the page cache keeps
(servicelevel/page_cache.py says which, and when it is rendered anew)."""

from __future__ import annotations

from django import template

from servicelevel.page_cache import render_part

register = template.Library()


class PagePartNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        return render_part(context, self.name, self.nodelist)


@register.tag
def page_part(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('{% page_part "name" %} takes one quoted name.')
    nodelist = parser.parse(("endpage_part",))
    parser.delete_first_token()
    return PagePartNode(bits[1][1:-1], nodelist)
