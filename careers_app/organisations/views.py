"""The shared organisation directory: /organisations. Staff read it; careers leaders edit
the shared details and merge near-duplicates; each school's notes are its own."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..domain.benchmarks import OrganisationKind
from ..domain.errors import InputError
from ..extensions import db
from ..forms import valid_or_400
from ..models import Organisation
from ..security import admin_required, require_staff
from ..templating import redirect_after_write, render
from . import directory, services
from .forms import DirectorySearchForm, NotesForm, SharedDetailsForm

bp = Blueprint("organisations", __name__, url_prefix="/organisations")
bp.before_request(require_staff)


def _entry_or_404(directory_id: int) -> directory.DirectoryEntry:
    found = directory.entry(current_user.school_id, directory_id)
    if found is None:
        abort(404)
    return found


@bp.get("")
def index():
    form = DirectorySearchForm(request.args)
    valid_or_400(form)
    entries = directory.directory_entries(current_user.school_id, form.q.data or "")
    return render("organisations/index.html", fragment="results", form=form, entries=entries,
                  merges=len(services.merge_candidates(current_user.school_id)))


@bp.get("/<int:directory_id>")
def show(directory_id: int):
    return render("organisations/show.html", entry=_entry_or_404(directory_id))


def _details_page(entry, form, status=200):
    return render("organisations/edit.html", fragment="details_form", status=status,
                  entry=entry, form=form)


@bp.get("/<int:directory_id>/edit")
@admin_required
def edit(directory_id: int):
    entry = _entry_or_404(directory_id)
    form = SharedDetailsForm(obj=entry.record)
    form.kind.data = entry.record.kind.value
    return _details_page(entry, form)


@bp.post("/<int:directory_id>/edit")
@admin_required
def update(directory_id: int):
    entry, form = _entry_or_404(directory_id), SharedDetailsForm()
    if not form.validate():
        return _details_page(entry, form, 422)
    try:
        services.update_shared(entry.record, services.SharedDetails(
            name=form.name.data, kind=OrganisationKind(form.kind.data),
            self_employed=form.self_employed.data, sector=form.sector.data or "",
            website=form.website.data or "", contact_name=form.contact_name.data or "",
            contact_email=form.contact_email.data or "",
            contact_phone=form.contact_phone.data or ""))
    except InputError as error:
        form[error.field_name].errors = [error.message]
        return _details_page(entry, form, 422)
    flash("Saved. Every school in your groups sees these details.", "success")
    return redirect_after_write(url_for("organisations.show", directory_id=directory_id))


def _own_row_or_404(directory_id: int) -> Organisation:
    row = db.session.scalar(select(Organisation).where(
        Organisation.school_id == current_user.school_id,
        Organisation.directory_id == directory_id).order_by(Organisation.id).limit(1))
    if row is None:
        abort(404)
    return row


@bp.get("/<int:directory_id>/notes")
def notes(directory_id: int):
    row = _own_row_or_404(directory_id)
    return render("organisations/notes.html", fragment="notes_form", row=row,
                  form=NotesForm(notes=row.private_notes))


@bp.post("/<int:directory_id>/notes")
def save_notes(directory_id: int):
    row, form = _own_row_or_404(directory_id), NotesForm()
    if not form.validate():
        return render("organisations/notes.html", fragment="notes_form", status=422, row=row,
                      form=form)
    services.update_notes(row, form.notes.data or "")
    flash("Notes saved. Only your school sees them.", "success")
    return redirect_after_write(url_for("organisations.show", directory_id=directory_id))


@bp.get("/merge")
@admin_required
def merges():
    return render("organisations/merges.html",
                  groups=services.merge_candidates(current_user.school_id))


def _pair_or_404(keep_id: int, drop_id: int):
    pair = services.merge_pair(current_user.school_id, keep_id, drop_id)
    if pair is None:
        abort(404)
    return pair


@bp.get("/merge/<int:keep_id>/<int:drop_id>")
@admin_required
def merge(keep_id: int, drop_id: int):
    """The confirmation page; the POST below merges."""
    keep, drop = _pair_or_404(keep_id, drop_id)
    return render("organisations/merge.html", keep=keep, drop=drop)


@bp.post("/merge/<int:keep_id>/<int:drop_id>")
@admin_required
def merge_confirmed(keep_id: int, drop_id: int):
    keep, drop = _pair_or_404(keep_id, drop_id)
    drop_name = drop.name
    moved = services.merge(current_user.school_id, keep, drop)
    flash(f"Merged “{drop_name}” into “{keep.name}”: {moved} of your encounters moved.",
          "success")
    return redirect_after_write(url_for("organisations.show", directory_id=keep.id))
