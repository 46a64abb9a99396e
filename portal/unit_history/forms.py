"""The comparison's two dates (`?fran=`, `?till=`): read by the one date rule's `parse_day`
(servicelevel/dates.py), ÅÅÅÅ-MM-DD only, 1900–2100."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from portal.presentation.forms import DesignSystemMixin
from servicelevel.dates import BOUNDS_MESSAGE, DateField, DayOutOfBounds, InvalidDay, parse_day


class QueryDayField(DateField):
    """A date of a query parameter in a form: `parse_day`'s form and words (a date outside the bounds
    gets every date field's one message)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        try:
            return parse_day(text)
        except DayOutOfBounds:
            raise ValidationError(BOUNDS_MESSAGE, code="date_out_of_bounds") from None
        except InvalidDay as error:
            raise ValidationError(f"”{text[:20]}” {error}.", code="invalid") from None


class CompareDatesForm(DesignSystemMixin, forms.Form):
    fran = QueryDayField(label="Från datum")
    till = QueryDayField(label="Till datum")

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            self.add_error("till", "Till datum ligger före från datum.")
        return data
