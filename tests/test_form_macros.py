"""The form macros in templates/_macros/forms.html, rendered on their own."""
from __future__ import annotations

import re
from pathlib import Path

from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import Form, RadioField

from careers_app.forms import MultiCheckboxField, options
from tests.html_checks import choice_group

IMPORTS = '{% from "_macros/forms.html" import choice_group, hx_post %}'


class ChoicesForm(Form):
    colour = RadioField("Colour", choices=options([("r", "Red"), ("g", "Green")]),
                        description="Pick one.")
    groups = MultiCheckboxField("Groups", choices=options([("a", "Group A"), ("b", "Group B")]))
    nothing = MultiCheckboxField("Nothing to choose", choices=[])


def _render(app, source: str, **context) -> str:
    with app.test_request_context():
        return render_template_string(IMPORTS + source, **context)


def test_a_radio_group_is_a_fieldset_labelled_by_its_legend(app):
    form = ChoicesForm()
    html = _render(app, "{{ choice_group(form.colour) }}", form=form)
    group, described = choice_group(html, "colour")
    assert group.attrs["id"] == "colour"
    assert group.legend == "Colour"
    assert described == "Pick one."
    assert "class" not in group.attrs
    assert [i["type"] for i in group.inputs] == ["radio", "radio"]
    assert all("aria-invalid" not in i for i in group.inputs)
    assert '<ul class="radio-list">' in html
    assert '<label for="colour-0">Red</label>' in html


def test_an_invalid_group_names_its_error_and_marks_every_option(app):
    form = ChoicesForm(MultiDict({"colour": "purple", "groups": "a"}))
    assert not form.validate()
    html = _render(app, '{{ choice_group(form.colour, legend="Pick a colour") }}', form=form)
    group, described = choice_group(html, "colour")
    assert group.legend == "Pick a colour"
    assert group.attrs["aria-describedby"] == "colour-hint colour-error"
    assert described == "Pick one. Not a valid choice."
    assert group.attrs["class"] == "field--error"
    assert [i.get("aria-invalid") for i in group.inputs] == ["true", "true"]


def test_a_checkbox_group_keeps_what_was_ticked_and_takes_a_class_and_a_hint(app):
    form = ChoicesForm(MultiDict([("groups", "b")]))
    html = _render(app, '{{ choice_group(form.groups, class="wide", hint="Tick any.") }}',
                   form=form)
    group, described = choice_group(html, "groups")
    assert group.attrs["class"] == "wide"
    assert described == "Tick any."
    assert [(i["type"], "checked" in i) for i in group.inputs] == [("checkbox", False),
                                                                   ("checkbox", True)]
    assert '<ul class="inline-checks">' in html


def test_a_group_with_no_choices_says_so(app):
    html = _render(app, '{{ choice_group(form.nothing, empty="No groups yet.") }}',
                   form=ChoicesForm())
    assert "<legend>Nothing to choose</legend>" in html
    assert "<p>No groups yet.</p>" in html and "<ul" not in html


def test_hx_post_gives_a_form_that_posts_with_and_without_javascript(app):
    html = _render(app, "<form {{ hx_post(url) }}>", url="/plans/new?next=/a&b=1")
    assert html == ('<form method="post" action="/plans/new?next=/a&amp;b=1" '
                    'hx-post="/plans/new?next=/a&amp;b=1" hx-target="this" hx-swap="outerHTML">')
    html = _render(app, '<form {{ hx_post("/x", target="closest article") }}>')
    assert 'hx-target="closest article" hx-swap="outerHTML"' in html


def _templates():
    root = Path(__file__).resolve().parent.parent / "templates"
    macros = root / "_macros" / "forms.html"
    return [(str(path.relative_to(root)), path.read_text())
            for path in sorted(root.rglob("*.html")) if path != macros]


def test_every_htmx_form_posts_through_the_macro():
    assert [name for name, text in _templates() if "hx-post=" in text] == []


def test_no_template_renders_a_form_fields_options_by_hand():
    by_hand = re.compile(r"{%-?\s*for\s+\w+\s+in\s+form\.\w+\s*-?%}|{{\s*form\.\w+\(class=")
    assert [name for name, text in _templates() if by_hand.search(text)] == []
