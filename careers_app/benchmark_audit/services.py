"""The benchmark audit of practice: start, answer with evidence from the data, score, follow up.

Measured evidence comes from the dashboard's own aggregate (reports.services.benchmark_matrix),
so an audit can never disagree with /reports/benchmarks. When an answer is saved, the figure
as it stands is copied onto the answer row; nothing reads it live again.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..database import write_transaction
from ..domain.academic import academic_year_label
from ..domain.audit_criteria import (BenchmarkCriteria, Rating, Thresholds, change,
                                     criteria_by_key, criteria_set, evidence_sentence,
                                     setting_evidence, score, suggest_rating, thresholds_from)
from ..domain.rules import percentage
from ..extensions import db
from ..models import School, User
from ..models.base import utcnow
from ..models.benchmark_audit import BenchmarkAudit, BenchmarkAuditAnswer
from ..models.plans import ActionPlan, PlanItem
from ..reports import services as reports

BM1_KEY = "benchmark1"  # School.settings key of the Benchmark 1 facts
THRESHOLDS_KEY = "audit_thresholds"


# Settings ---------------------------------------------------------------------------------

def raw_settings(school_id: int) -> dict:
    return dict(db.session.scalar(select(School.settings).where(School.id == school_id)) or {})


def benchmark1_facts(raw: Mapping) -> dict:
    facts = raw.get(BM1_KEY)
    return dict(facts) if isinstance(facts, Mapping) else {}


@dataclass
class AuditSettings:
    careers_leader: str = ""
    governor_link: str = ""
    programme_url: str = ""
    last_review: date | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)


def load_settings(school_id: int) -> AuditSettings:
    raw = raw_settings(school_id)
    facts = benchmark1_facts(raw)
    review = None
    if isinstance(facts.get("last_review"), str):
        try:
            review = date.fromisoformat(facts["last_review"])
        except ValueError:
            review = None

    def text(key: str) -> str:
        value = facts.get(key)
        return value if isinstance(value, str) else ""
    return AuditSettings(text("careers_leader"), text("governor_link"), text("programme_url"),
                         review, thresholds_from(raw))


def save_settings(school_id: int, chosen: AuditSettings) -> None:
    """Store the Benchmark 1 facts and the rating thresholds; other settings are kept."""
    with write_transaction():
        school = db.session.get(School, school_id)
        settings = dict(school.settings or {})
        settings[BM1_KEY] = {
            "careers_leader": " ".join(chosen.careers_leader.split()),
            "governor_link": " ".join(chosen.governor_link.split()),
            "programme_url": chosen.programme_url.strip(),
            "last_review": chosen.last_review.isoformat() if chosen.last_review else "",
        }
        settings[THRESHOLDS_KEY] = {"achieved": chosen.thresholds.achieved,
                                    "partial_above": chosen.thresholds.partial_above}
        school.settings = settings


# Measured evidence ------------------------------------------------------------------------

@dataclass
class Evidence:
    """What the data says about one criterion now (or said, once stored)."""

    text: str
    url: str
    suggested: str
    met: int | None = None
    total: int | None = None
    percent: int | None = None
    detail: dict | None = None


def measure_evidence(school_id: int, academic_year: int, today: date) -> dict[str, Evidence]:
    """Evidence for every measurable criterion: one dashboard aggregate and one settings read."""
    raw = raw_settings(school_id)
    thresholds = thresholds_from(raw)
    facts = benchmark1_facts(raw)
    matrix = None
    result: dict[str, Evidence] = {}
    for criterion in criteria_by_key().values():
        measure = criterion.measure
        if measure is None:
            continue
        if measure.setting:
            fact = setting_evidence(measure.setting, facts, today)
            result[criterion.key] = Evidence(fact.text, url_for("benchmark_audit.settings"),
                                             fact.suggested)
            continue
        if matrix is None:
            matrix = reports.benchmark_matrix(school_id, academic_year, today)
        years = []
        for year in measure.year_groups:
            cell = matrix.cells[(measure.rule, year)]
            years.append({"year_group": year, "met": cell.met, "total": cell.total,
                          "url": url_for("reports.gaps", rule_key=measure.rule, year_group=year,
                                         year=academic_year)})
        met = sum(y["met"] for y in years)
        total = sum(y["total"] for y in years)
        percent = percentage(met, total)
        url = (years[0]["url"] if len(years) == 1
               else url_for("reports.benchmarks", year=academic_year))
        result[criterion.key] = Evidence(
            evidence_sentence(measure.year_groups, met, total, measure.evidence), url,
            suggest_rating(percent, thresholds), met, total, percent,
            {"rule": measure.rule, "academic_year": academic_year,
             "as_of": matrix.as_of.isoformat(), "years": years})
    return result


# Queries ----------------------------------------------------------------------------------

def get_audit(school_id: int, audit_id: int) -> BenchmarkAudit | None:
    return db.session.scalar(
        select(BenchmarkAudit).where(BenchmarkAudit.id == audit_id,
                                     BenchmarkAudit.school_id == school_id)
        .options(selectinload(BenchmarkAudit.answers)))


def latest_audit(school_id: int, before: BenchmarkAudit | None = None) -> BenchmarkAudit | None:
    """The school's newest audit (or the one just before `before`)."""
    query = select(BenchmarkAudit).where(BenchmarkAudit.school_id == school_id)
    if before is not None:
        query = query.where(BenchmarkAudit.id < before.id)
    return db.session.scalar(query.order_by(BenchmarkAudit.id.desc()).limit(1)
                             .options(selectinload(BenchmarkAudit.answers)))


def get_answer(audit: BenchmarkAudit, key: str) -> BenchmarkAuditAnswer | None:
    return next((a for a in audit.answers if a.criterion_key == key), None)


@dataclass
class BenchmarkResult:
    number: int
    name: str
    answers: list[BenchmarkAuditAnswer]
    score: int | None
    previous: int | None
    change: int | None

    @property
    def label(self) -> str:
        return f"BM{self.number}"

    @property
    def total(self) -> int:
        return len(self.answers)

    @property
    def answered(self) -> int:
        return sum(1 for a in self.answers if a.answered)

    @property
    def achieved(self) -> int:
        return sum(1 for a in self.answers if a.answered and a.rating == Rating.ACHIEVED)


def _scores(audit: BenchmarkAudit) -> dict[int, int | None]:
    by_benchmark: dict[int, list[BenchmarkAuditAnswer]] = {}
    for answer in audit.answers:
        by_benchmark.setdefault(answer.benchmark, []).append(answer)
    return {n: score([a.rating for a in answers if a.answered], len(answers))
            for n, answers in by_benchmark.items()}


def results(audit: BenchmarkAudit) -> tuple[list[BenchmarkResult], BenchmarkAudit | None]:
    """Each benchmark's answers and score (% of its criteria achieved), and the change since
    the previous audit."""
    previous = latest_audit(audit.school_id, before=audit)
    before = _scores(previous) if previous is not None else {}
    names = {b.number: b.name for b in criteria_set()}
    by_benchmark: dict[int, list[BenchmarkAuditAnswer]] = {n: [] for n in names}
    for answer in audit.answers:
        by_benchmark.setdefault(answer.benchmark, []).append(answer)
    now = _scores(audit)
    return [BenchmarkResult(n, names.get(n, f"Benchmark {n}"), answers, now.get(n),
                            before.get(n), change(now.get(n), before.get(n)))
            for n, answers in sorted(by_benchmark.items())], previous


@dataclass
class AuditSummary:
    audit: BenchmarkAudit
    criteria: int
    answered: int
    achieved: int

    @property
    def score(self) -> int | None:
        return percentage(self.achieved, self.criteria)


def list_audits(school_id: int) -> list[AuditSummary]:
    """Every audit of the school, newest first, with its counts, in one query."""
    answered = (BenchmarkAuditAnswer.answered_at.is_not(None)
                & BenchmarkAuditAnswer.copied.is_(False) & (BenchmarkAuditAnswer.rating != ""))
    achieved = answered & (BenchmarkAuditAnswer.rating == Rating.ACHIEVED.value)
    rows = db.session.execute(
        select(BenchmarkAudit, func.count(BenchmarkAuditAnswer.id),
               func.count(BenchmarkAuditAnswer.id).filter(answered),
               func.count(BenchmarkAuditAnswer.id).filter(achieved))
        .outerjoin(BenchmarkAuditAnswer, BenchmarkAuditAnswer.audit_id == BenchmarkAudit.id)
        .where(BenchmarkAudit.school_id == school_id)
        .group_by(BenchmarkAudit.id)
        .order_by(BenchmarkAudit.id.desc())).all()
    return [AuditSummary(*row) for row in rows]


# Writes -----------------------------------------------------------------------------------

def start_audit(school_id: int, user: User, title: str, academic_year: int,
                copy_previous: bool) -> BenchmarkAudit:
    """A new audit with one unanswered row per criterion; optionally the previous audit's
    ratings and evidence as a starting point (marked as copied until each is saved again)."""
    with write_transaction():
        previous = latest_audit(school_id) if copy_previous else None
        old = {a.criterion_key: a for a in previous.answers} if previous else {}
        audit = BenchmarkAudit(school_id=school_id, title=" ".join(title.split()),
                               academic_year=academic_year, started_by_id=user.id,
                               copied_from_id=previous.id if previous else None)
        for benchmark in criteria_set():
            for criterion in benchmark.criteria:
                answer = BenchmarkAuditAnswer(school_id=school_id, criterion_key=criterion.key,
                                              benchmark=benchmark.number,
                                              criterion_text=criterion.text)
                before = old.get(criterion.key)
                if before is not None and (before.rating or before.evidence):
                    answer.rating, answer.evidence, answer.copied = (before.rating,
                                                                     before.evidence, True)
                audit.answers.append(answer)
        db.session.add(audit)
    return audit


def save_answer(audit: BenchmarkAudit, answer: BenchmarkAuditAnswer, rating: str, evidence: str,
                user: User, measured: Evidence | None) -> None:
    """Record the rating and evidence, with the measured figure as it stands now."""
    with write_transaction():
        answer.rating = Rating(rating).value
        answer.evidence = evidence.strip().replace("\r\n", "\n")
        answer.copied = False
        answer.answered_by_id = user.id
        answer.answered_at = utcnow()
        if measured is not None:
            answer.suggested_rating = measured.suggested
            answer.overridden = bool(measured.suggested) and measured.suggested != answer.rating
            answer.measured_met, answer.measured_total = measured.met, measured.total
            answer.measured_percent = measured.percent
            answer.measured_text, answer.measured_url = measured.text, measured.url[:400]
            answer.measured_detail = measured.detail
        else:
            answer.suggested_rating, answer.overridden = "", False
        audit.updated_at = utcnow()


def school_plans(school_id: int) -> list[ActionPlan]:
    """The school's own action plans, newest first (the default target for audit actions);
    a trust's plan hosted at the school is its leads' to change, not the school's."""
    return list(db.session.scalars(select(ActionPlan).where(ActionPlan.school_id == school_id,
                                                            ActionPlan.group_id.is_(None))
                                   .order_by(ActionPlan.id.desc())))


def audit_plan_title(audit: BenchmarkAudit) -> str:
    return f"Audit actions {academic_year_label(audit.academic_year)}"


def create_plan_item(audit: BenchmarkAudit, answer: BenchmarkAuditAnswer,
                     plan: ActionPlan | None, user: User) -> PlanItem:
    """One action-plan item whose aim is the criterion, in `plan` or, when the school has
    none, in a new plan named after the audit's year. One transaction."""
    with write_transaction():
        if plan is None:
            plan = ActionPlan(school_id=audit.school_id, title=audit_plan_title(audit),
                              period=academic_year_label(audit.academic_year), owner_id=user.id)
            db.session.add(plan)
            db.session.flush()
        position = db.session.scalar(select(func.coalesce(func.max(PlanItem.position), 0))
                                     .where(PlanItem.plan_id == plan.id)) + 1
        now = answer.measured_text or ""
        success = "Rated Achieved at the next benchmark audit."
        if now:
            success += f" At “{audit.title}”: {now}."
        item = PlanItem(school_id=audit.school_id, plan_id=plan.id, position=position,
                        benchmark=answer.benchmark, aim=answer.criterion_text,
                        success_criteria=success)
        db.session.add(item)
    return item


def benchmarks() -> tuple[BenchmarkCriteria, ...]:
    return criteria_set()
