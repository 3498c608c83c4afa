"""Form pieces shared by several features, and the base class every form derives from."""
from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm
from wtforms import (DateField, IntegerField, PasswordField, SelectMultipleField, StringField,
                     ValidationError, widgets)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from .domain.academic import YEAR_GROUPS
from .domain.dates import today_london

from .domain.errors import InputError
from .domain.parsing import (MAX_ID, clean_text, date_problem, parse_date, parse_id,
                             parse_number)


def _clean_text_filter(value):
    """Every text field's first filter: NFC, "\\n" line endings, no NUL or other control
    characters (raised as a field error: WTForms turns a filter's ValueError into one)."""
    return clean_text(value) if isinstance(value, str) else value


class Form(FlaskForm):
    """The base of every form: text fields are cleaned at the edge, once, for all of them.

    Passwords are left exactly as typed (normalising them would change what was hashed);
    the request guard still refuses a NUL in them.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options = dict(options, filters=[_clean_text_filter,
                                                 *unbound_field.kwargs.get("filters", ())])
            return unbound_field.bind(form=form, **options)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; each option renders with its own visible label."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def int_list(values, field_name: str = "pupil_ids") -> list[int]:
    """Submitted ids as ints. Blank values are skipped; anything else that is not an id
    (ASCII digits, within the database's integer) raises InputError: a 400, not a guess."""
    result = []
    for value in values or ():
        value = str(value).strip()
        if value:
            try:
                result.append(parse_id(value, field_name=field_name))
            except InputError:
                raise InputError(field_name, f"“{value[:20]}” is not a valid pupil id.") from None
    return result


def choice_id(value) -> int:
    """`coerce=` for a select of ids: 0 (the "none" option) or an id, in ASCII digits within
    the database's integer. Anything else raises ValueError, which WTForms reports as an
    invalid choice (`int` would take "٣" and 10**30, and the database then fails)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return parse_number(value, 0, MAX_ID)


def options(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


# A filter's year group: any, or one of Years 7-13.
YEAR_GROUP_CHOICES = options([("", "All")] + [(str(y), f"Year {y}") for y in YEAR_GROUPS])


class DayField(DateField):
    """The one date input, and the one "sensible date" check: an ISO date that exists and
    lies within 2000..2100 (parsing.date_problem), or a message naming the problem in plain
    words. Blank is None (Optional, DataRequired or InputRequired decide).

    A misspelt or impossible date stops validation before the other validators run, so
    DataRequired cannot hide "not a real date" behind "enter the date". The range is checked
    after them, so a field's own rule ("cannot be in the future") names the problem first.
    """

    _problem: str | None = None

    def process_formdata(self, valuelist):
        self._problem = None
        if not valuelist:
            return
        try:
            self.data = parse_date(" ".join(valuelist), field_name=self.name, in_range=False)
        except InputError as error:
            self.data = None
            self._problem = error.message

    def pre_validate(self, form):
        if self._problem:
            raise StopValidation(self._problem)

    def post_validate(self, form, validation_stopped):
        if not validation_stopped and not self.errors and (problem := date_problem(self.data)):
            self.errors.append(problem)


def valid_or_400(form) -> None:
    """Refuse a GET filter form carrying a value no control on the page can send.

    An unknown type, a year group of 99 or a malformed date is a bad request (400), never a
    silent "show everything".
    """
    if not form.validate():
        abort(400)


class FilterForm(Form):
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


def not_future(form, field):
    """Validator: a date no later than today (DayField checks the sensible range)."""
    if field.data and field.data > today_london():
        raise ValidationError("That date is in the future.")
