"""The trust dashboard (/trust): schools x rules across a group, a school's figures in
aggregate mode, the CSV and print layout for trust boards, and the group's action plans.

Only leads of a group reach these pages: a group-lead login, or a careers leader who also
leads a group. Everything here is figures; no page names a pupil. Every answer that shows
a school's figures is recorded in that school's audit log (services.record_group_view).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, request, url_for
from flask_login import current_user

from ..domain.academic import YEAR_GROUPS, academic_year_label, academic_year_of
from ..domain.dates import today_london
from ..domain.rules import BAND_LEGEND
from ..plans import services as plan_services
from ..plans.forms import PlanForm
from ..reports.charts import bar_chart
from ..reports.csv_export import csv_response
from ..security import login_manager, refuse
from ..templating import redirect_after_write, render
from . import figures, services
from .forms import TrustFilterForm

bp = Blueprint("groups", __name__, url_prefix="/trust")


@bp.before_request
def _group_leads_only():
    """Leads of a group only; anyone else is told nothing is here."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not (current_user.is_group_lead or current_user.leads_groups):
        refuse(404)
    g.led_groups = services.led_groups(current_user)
    return None


def _filters():
    """The bound filter form, the chosen group and its schools; a bad value is a 400 with
    the form's own message."""
    today = today_london()
    form = TrustFilterForm(formdata=request.args)
    form.set_choices(academic_year_of(today), g.led_groups)
    valid = form.validate() if g.led_groups else True
    group = next((x for x in g.led_groups if x.id == form.group.data), None)
    return form, valid, group, today


def _figures(form, group, today):
    schools = services.member_schools(group.id)
    year, day = form.academic_year(), form.day(today)
    result = figures.trust_figures(schools, year, day, form.filters(),
                                   total_label=f"All {len(schools)} schools")
    services.record_group_view(
        current_user.id, [s for s, _name in schools],
        f"trust figures {academic_year_label(year)} as at {day.isoformat()} "
        f"{form.filters().describe()}", group_id=group.id)
    return result


def _query(form, group) -> dict:
    args = {"group": group.id, "year": form.academic_year(), **form.filters().as_args()}
    if form.as_of.data:
        args["as_of"] = form.as_of.data.isoformat()
    return args


@bp.get("")
def dashboard():
    """Schools x rules for the chosen group, year and as-at day, with the group's total."""
    form, valid, group, today = _filters()
    if group is None or not valid:
        return render("groups/dashboard.html", fragment="results", status=200 if valid else 400,
                      form=form, group=group, trust=None, legend=BAND_LEGEND)
    return render("groups/dashboard.html", fragment="results", form=form, group=group,
                  trust=_figures(form, group, today), legend=BAND_LEGEND,
                  args=_query(form, group))


def _valid_group():
    form, valid, group, today = _filters()
    if not valid:
        abort(400)
    if group is None:
        abort(404)
    return form, group, today


@bp.get("/figures.csv")
def figures_csv():
    """The dashboard as CSV for trust boards: one row per school and rule, and the total."""
    form, group, today = _valid_group()
    trust = _figures(form, group, today)
    header = ["Group", "Academic year", "As at", "School", "Rule", "Benchmark", "Rule description",
              "Pupils met", "Pupils measured", "Percent"]
    if trust.filters.active:
        header += [f"Filtered ({trust.filters.describe()}) met", "Filtered measured",
                   "Filtered percent"]
    rows = []
    for school in [*trust.schools, trust.total]:
        for rule in trust.rules:
            cell = school.cells[rule.key]
            row = [group.name, academic_year_label(trust.academic_year), trust.as_of.isoformat(),
                   school.name, rule.key, rule.label, rule.title, cell.met, cell.total,
                   "" if cell.percent is None else cell.percent]
            if school.filtered is not None:
                part = school.filtered[rule.key]
                row += [part.met, part.total, "" if part.percent is None else part.percent]
            rows.append(row)
    name = f"trust-{academic_year_label(trust.academic_year).replace('/', '-')}.csv"
    return csv_response(name, header, rows)


@bp.get("/print")
def print_view():
    """The dashboard laid out for A4 landscape, for a trust board's papers."""
    form, group, today = _valid_group()
    return render("groups/print.html", group=group, trust=_figures(form, group, today),
                  printed=today)


@bp.get("/schools/<int:school_id>")
def school(school_id: int):
    """One member school's dashboard in aggregate mode: figures and charts, no names."""
    found = services.visible_school(current_user, school_id)
    if found is None:
        refuse(404)
    member, group = found
    form, valid, _chosen, today = _filters()
    if not valid:
        abort(400)
    year, day = form.academic_year(), form.day(today)
    matrix = figures.school_matrix(member.id, year, day, form.filters())
    services.record_group_view(current_user.id, [member.id],
                               f"school figures {academic_year_label(year)} as at "
                               f"{day.isoformat()} {form.filters().describe()}",
                               group_id=group.id)
    charts = [bar_chart(rule, {y: matrix.cells[(rule.key, y)] for y in rule.year_groups})
              for rule in matrix.rules]
    return render("groups/school.html", fragment="results", form=form, school=member,
                  group=group, matrix=matrix, filters=form.filters(), charts=charts,
                  legend=BAND_LEGEND, year_groups=YEAR_GROUPS, aggregate=True,
                  args={"year": year, **form.filters().as_args()})


# The group's action plans --------------------------------------------------------------------

@bp.get("/plans")
def plans():
    """The action plans of the groups I lead."""
    return render("groups/plans.html", groups=g.led_groups,
                  summaries=plan_services.list_group_plans([x.id for x in g.led_groups]))


def _plan_form() -> PlanForm:
    """A group plan's owner is one of its leads: the one making it, or nobody."""
    form = PlanForm()
    form.owner_id.choices = [(0, "No owner"), (current_user.id, current_user.display_name)]
    return form


def _led_group(group_id: int):
    group = next((x for x in g.led_groups if x.id == group_id), None)
    if group is None:
        refuse(404)
    return group


@bp.get("/<int:group_id>/plans/new")
def new_plan(group_id: int):
    group = _led_group(group_id)
    form = _plan_form()
    form.owner_id.data = current_user.id
    return render("groups/plan_form.html", fragment="plan_form", form=form, group=group)


@bp.post("/<int:group_id>/plans/new")
def create_plan(group_id: int):
    group = _led_group(group_id)
    form = _plan_form()
    if not form.validate():
        return render("groups/plan_form.html", fragment="plan_form", status=422, form=form,
                      group=group)
    plan = plan_services.create_group_plan(current_user, group.id, plan_services.PlanDetails(
        title=form.title.data or "", period=form.period.data or "",
        owner_id=form.owner_id.data or None))
    flash(f"Plan “{plan.title}” created for {group.name}. Add its aims next.", "success")
    return redirect_after_write(url_for("plans.show", plan_id=plan.id))
