"""Writing an imported plan, and reading what was uploaded or pasted into plan text.

The import page and the demo seed both go through `add_imported_plan`, so the demo's plans
are exactly what a careers leader's own document would give.
"""
from __future__ import annotations

from ..database import write_transaction
from ..domain.csv_files import decode
from ..domain.errors import InputError
from ..domain.plan_docx import WordFileError, docx_to_text
from ..domain.plan_import import ImportResult
from ..extensions import db
from ..models.plans import ActionPlan, Milestone, PlanItem
from . import services

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# The preview posts the text back in a hidden field; the form parser takes up to 1 MB.
MAX_TEXT_BYTES = 900 * 1024
_OLD_WORD = b"\xd0\xcf\x11\xe0"  # .doc and .xls: the binary Office formats


class SourceError(ValueError):
    """What was uploaded or pasted cannot be turned into plan text."""


def staff_leads(school_id: int) -> dict[str, int]:
    """Lower-cased display names and usernames of the school's staff -> user id."""
    leads: dict[str, int] = {}
    for user in services.staff_users(school_id):
        leads.setdefault(user.display_name.lower(), user.id)
        leads.setdefault(user.username.lower(), user.id)
    return leads


def upload_text(filename: str, data: bytes) -> str:
    """The plan text of an uploaded file: a Word document (.docx) or a CSV/text file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SourceError("The file is larger than 2 MB.")
    if not data.strip():
        raise SourceError("The file is empty.")
    if data.startswith(_OLD_WORD):
        raise SourceError("That is an old Word or Excel file: save it as a Word document "
                          "(.docx) or as CSV and upload that.")
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".docx"):
        try:
            text = docx_to_text(data)
        except WordFileError as error:
            raise SourceError(str(error)) from None
    else:
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise SourceError("That is not a CSV, text or Word file.")
        try:
            text, _encoding = decode(data)
        except InputError as error:
            raise SourceError(error.message) from None
    return checked_text(text)


def checked_text(text: str) -> str:
    """Pasted or posted-back text, with Windows line ends made plain; too long is refused."""
    text = text.replace("\r\n", "\n")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise SourceError("The table is too long to import at once (more than 900 KB of "
                          "text): split it into several plans.")
    return text


def add_imported_plan(school_id: int, owner_id: int | None, title: str, period: str,
                      result: ImportResult) -> ActionPlan:
    """Add the plan, its items and milestones to the session. The caller owns the
    transaction: the import page's own, or the demo seed's."""
    plan = ActionPlan(school_id=school_id, title=" ".join(title.split())[:200],
                      period=" ".join(period.split())[:40], owner_id=owner_id)
    db.session.add(plan)
    for position, parsed in enumerate(result.items, start=1):
        item = PlanItem(
            school_id=school_id, position=position, section=parsed.section[:200],
            benchmark=parsed.benchmark, aim=parsed.aim,
            current_provision=parsed.current_provision, actions=parsed.actions_text,
            lead_user_id=parsed.lead_user_id,
            lead_name="" if parsed.lead_user_id else parsed.lead_text,
            resources=parsed.resources, cost_pence=parsed.cost_pence,
            success_criteria=parsed.success_criteria, outcomes=parsed.outcomes)
        item.milestones = [Milestone(school_id=school_id, title=m.title, date=m.day)
                           for m in parsed.milestones]
        plan.items.append(item)
    return plan


def import_plan(school_id: int, owner_id: int | None, title: str, period: str,
                result: ImportResult) -> ActionPlan:
    """The whole plan in one transaction, or nothing."""
    with write_transaction():
        plan = add_imported_plan(school_id, owner_id, title, period, result)
    return plan
