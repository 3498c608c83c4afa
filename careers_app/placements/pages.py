"""Page builders shared by the placement views: each turns a service's answer into a page,
so the views themselves stay a few lines (parse, call, render)."""
from __future__ import annotations

from flask import Response, request
from flask_login import current_user

from ..domain.placement_import import SheetError, read_sheet, sheet_from_text, sheet_to_text
from ..domain.placements import Mode
from ..domain.dates import today_london
from ..forms import options
from ..templating import render
from . import feedback, importer, records, services
from .forms import AssignForm, FeedbackLinkForm, ImportForm, PlacementForm, StatusForm

MAX_UPLOAD = 2 * 1024 * 1024


def request_ip() -> str:
    return (request.remote_addr or "")[:64]


def week_choices(school_id: int):
    return options([("", "Any week")] + [(str(w.id), w.title)
                                         for w in importer.week_choices(school_id)])


def assign_form(row, error: str | None = None, typed: str | None = None) -> AssignForm:
    """One row's employer box, named "organisation" for the shared type-ahead, with an id
    and a visible label of its own."""
    current = row.placement.organisation.name if row.placement and row.placement.organisation \
        else ""
    form = AssignForm(formdata=None, data={"organisation": current if typed is None else typed})
    field = form.organisation
    field.id = field.label.field_id = f"employer-{row.pupil.id}"
    field.label.text = f"Employer for {row.pupil.display_name}"
    if error:
        field.errors = [error]
    return form


def assign_forms(rows, errors: dict, typed: dict) -> dict:
    return {r.pupil.id: assign_form(r, errors.get(r.pupil.id), typed.get(r.pupil.id))
            for r in rows}


def assign_row(week, row, error: str | None, typed: str | None) -> Response:
    """One row of the assign table, for htmx: saved, or with its error (422)."""
    pid = row.pupil.id
    return render("placements/week.html", fragment="row", status=422 if error else 200,
                  week=week, row=row,
                  forms={pid: assign_form(row, error, typed if error else None)},
                  saved_ids=set() if error else {pid})


def placement_page(placement, *, status_form: StatusForm | None = None,
                   new_link: str | None = None, link_problem: str | None = None,
                   status: int = 200) -> Response:
    """The placement's page; an htmx post gets back only the panel it came from."""
    if status_form is None:
        status_form = StatusForm(data={"status": placement.status})
    fragment = "status_panel" if request.endpoint == "placements.set_status" else "feedback_link"
    today = today_london()
    return render("placements/show.html", fragment=fragment, status=status, placement=placement,
                  status_form=status_form, link_form=FeedbackLinkForm(), new_link=new_link,
                  link_problem=link_problem, links=feedback.links_of(placement),
                  can_link=feedback.can_have_link(placement, today),
                  criteria=records.criteria_of(placement), today=today,
                  answer_label=feedback.answer_label)


def with_link_headers(response: Response) -> Response:
    """A page holding a fresh feedback link must not be cached or leak it as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def fill_details(form: PlacementForm, placement) -> None:
    form.organisation.data = placement.organisation.name if placement.organisation else ""
    form.mode.data = placement.mode


def details_from(form: PlacementForm) -> services.PlacementDetails:
    return services.PlacementDetails(
        organisation_name=form.organisation.data or "", start_on=form.start_on.data,
        end_on=form.end_on.data, mode=Mode(form.mode.data),
        contact_name=form.contact_name.data or "", contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "", employer_task=form.employer_task.data or "",
        insurance_seen_on=form.insurance_seen_on.data,
        risk_assessment_on=form.risk_assessment_on.data, notes=form.notes.data or "")


def evaluation_page(placement, form, status: int = 200) -> Response:
    return render("placements/evaluation.html", fragment="evaluation_form", status=status,
                  placement=placement, form=form)


def feedback_page(found: feedback.OpenLink, form, *, status: int = 200,
                  done: bool = False) -> Response:
    """The employer's page: only the pupil's first name, the dates and the school."""
    response = render("placements/feedback.html", fragment="feedback_form", status=status,
                      found=found, form=form, done=done)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def answers_from(form) -> feedback.Answers:
    return feedback.Answers(
        attendance=form.attendance.data, punctuality=form.punctuality.data,
        task=form.task.data or "", task_outcome=form.task_outcome.data,
        skills=list(form.skills.data or []), comment=form.comment.data or "")


def _import_week_choices(form: ImportForm, school_id: int):
    weeks = importer.week_choices(school_id)
    form.week.choices = options([("", "None: standalone placements")]
                                + [(str(w.id), w.title) for w in weeks])
    return {str(w.id): w for w in weeks}


def import_page(form: ImportForm, *, checked=None, problem: str | None = None,
                status: int = 200) -> Response:
    _import_week_choices(form, current_user.school_id)
    return render("placements/import.html", fragment="import_form", status=status, form=form,
                  checked=checked, problem=problem)


def submitted_sheet(form: ImportForm, school_id: int):
    """The sheet from a new upload, or the copy the preview posted back; the week chosen;
    or a problem to show. A new upload is always previewed first."""
    weeks = _import_week_choices(form, school_id)
    week = weeks.get(form.week.data or "")
    if form.week.data and week is None:
        return None, None, "That placement week no longer exists. Choose another."
    upload = request.files.get(form.file.name)
    try:
        if upload is not None and upload.filename:
            form.confirm.data = ""  # a new file is always previewed first
            data = upload.read(MAX_UPLOAD + 1)
            sheet = read_sheet(data, upload.filename)
        elif (form.csv_text.data or "").strip():
            sheet = sheet_from_text(form.csv_text.data)
        else:
            return None, week, "Choose a CSV or Excel file."
    except SheetError as error:
        return None, week, str(error)
    form.csv_text.data = sheet_to_text(sheet)
    return sheet, week, None
