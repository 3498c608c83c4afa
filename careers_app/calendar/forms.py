from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField

from ..forms import Form, choice_id, options
from ..models.calendar import FEED_SCOPE_LABELS, FeedScope

SCOPE_CHOICES = options((scope.value, label) for scope, label in FEED_SCOPE_LABELS.items())


class NewLinkForm(Form):
    """Create a subscription link."""

    scope = RadioField("What the calendar shows", choices=SCOPE_CHOICES,
                       default=FeedScope.MINE.value)
    plan_id = SelectField("Plan (for “One plan”)", coerce=choice_id, validate_choice=False,
                          description="Only used when the calendar shows one plan.")
    with_events = BooleanField("Planned events too (careers fairs, visits)",
                               description="One link then carries the milestones and the planned "
                                           "events together.")
