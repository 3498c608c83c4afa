"""The directory's forms: the shared details, and a school's own notes."""
from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..domain.benchmarks import ORGANISATION_KIND_LABELS
from ..forms import FilterForm, Form, options, search_field

KIND_CHOICES = options((kind.value, label) for kind, label in ORGANISATION_KIND_LABELS.items())


class DirectorySearchForm(FilterForm):
    q = search_field('Part of a name, for example "NHS".')


class SharedDetailsForm(Form):
    """What every school of the group sees about the organisation."""

    name = StringField("Name", validators=[DataRequired("Enter the organisation's name."),
                                           Length(max=200)])
    kind = SelectField("Type", choices=KIND_CHOICES)
    self_employed = BooleanField("A self-employed person")
    sector = StringField("Sector", validators=[Optional(), Length(max=120)],
                         description='For example "Health and social care".')
    website = StringField("Website", validators=[Optional(), Length(max=300)],
                          description="Starting https://")
    contact_name = StringField("Contact name", validators=[Optional(), Length(max=120)])
    contact_email = StringField("Contact email", validators=[
        Optional(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@example.org.")])
    contact_phone = StringField("Contact phone", validators=[Optional(), Length(max=40)])


class NotesForm(Form):
    notes = TextAreaField("Our school's notes", validators=[Optional(), Length(max=5000)],
                          description="Only staff at your school see these.")
