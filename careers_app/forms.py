"""Form pieces shared by several features."""
from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm
from wtforms import (DateField, IntegerField, SelectMultipleField, StringField, ValidationError,
                     widgets)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .domain.academic import YEAR_GROUPS
from .domain.dates import today_london

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; each option renders with its own visible label."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def int_list(values) -> list[int]:
    """Coerce submitted ids to ints, dropping anything that is not a positive integer."""
    result = []
    for value in values or ():
        value = str(value).strip()
        if value.isdigit() and 0 < int(value) < 2**31:
            result.append(int(value))
    return result


def options(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


# A filter's year group: any, or one of Years 7-13.
YEAR_GROUP_CHOICES = options([("", "All")] + [(str(y), f"Year {y}") for y in YEAR_GROUPS])


class DayField(DateField):
    """A date input whose error names the problem in plain words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError("That is not a real date. Check the day, month and year.") from error


class FilterForm(FlaskForm):
    """GET filters for a page (no CSRF: they change nothing)."""

    class Meta:
        csrf = False


def search_field(description: str) -> StringField:
    """A filter form's search box: free text, at most 200 characters."""
    return StringField("Search", validators=[Optional(), Length(max=200)],
                       description=description, render_kw={"maxlength": 200})


def whole_number_field(label: str, low: int, high: int, description: str = "") -> IntegerField:
    """A required whole number from `low` to `high`."""
    return IntegerField(label, validators=[
        InputRequired("Enter a number."),
        NumberRange(low, high, f"Enter a whole number from {low} to {high}.")],
        description=description)


def valid_or_400(form) -> None:
    """Refuse a GET filter form carrying a value no control on the page can send.

    An unknown type, a year group of 99 or a malformed date is a bad request (400), never a
    silent "show everything".
    """
    if not form.validate():
        abort(400)


def sensible_year(form, field):
    """Validator: a date between EARLIEST_YEAR and LATEST_YEAR (a mistyped year is caught)."""
    if field.data and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
        raise ValidationError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")


def not_future(form, field):
    """Validator: a date no later than today and not before EARLIEST_YEAR."""
    if field.data and field.data > today_london():
        raise ValidationError("That date is in the future.")
    if field.data and field.data.year < EARLIEST_YEAR:
        raise ValidationError(f"Enter a date from {EARLIEST_YEAR} onwards.")
