"""The eight Gatsby Benchmarks (2025 refresh) and the encounter kinds that count towards them."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Benchmark:
    number: int
    name: str
    summary: str

    @property
    def label(self) -> str:
        return f"BM{self.number}"


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(1, "A stable careers programme",
              "An embedded, written-down careers programme known to pupils, parents, staff and employers."),
    Benchmark(2, "Learning from career and labour market information",
              "Pupils and parents use good-quality information about careers and the labour market."),
    Benchmark(3, "Addressing the needs of each young person",
              "Careers support is tailored to each pupil, with records kept and destinations tracked."),
    Benchmark(4, "Linking curriculum learning to careers",
              "Teachers link their subject to careers and the world of work."),
    Benchmark(5, "Encounters with employers and employees",
              "Every pupil has meaningful encounters with employers and employees every year."),
    Benchmark(6, "Experiences of workplaces",
              "Pupils have first-hand experience of workplaces."),
    Benchmark(7, "Encounters with further and higher education",
              "Pupils meet the full range of education and training providers."),
    Benchmark(8, "Personal guidance",
              "Every pupil has guidance interviews with a qualified careers adviser."),
)
BY_NUMBER: dict[int, Benchmark] = {b.number: b for b in BENCHMARKS}


class OrganisationKind(StrEnum):
    EMPLOYER = "employer"
    FE_COLLEGE = "fe_college"
    SIXTH_FORM = "sixth_form"
    UNIVERSITY = "university"
    ITP = "itp"
    OTHER = "other"


ORGANISATION_KIND_LABELS: dict[OrganisationKind, str] = {
    OrganisationKind.EMPLOYER: "Employer",
    OrganisationKind.FE_COLLEGE: "FE college",
    OrganisationKind.SIXTH_FORM: "Sixth form",
    OrganisationKind.UNIVERSITY: "University",
    OrganisationKind.ITP: "ITP / apprenticeship provider",
    OrganisationKind.OTHER: "Other",
}


class EncounterKind(StrEnum):
    EMPLOYER_TALK = "employer_talk"
    EMPLOYER_MENTORING = "employer_mentoring"
    CAREERS_FAIR = "careers_fair"
    WORKPLACE_VISIT = "workplace_visit"
    WORK_EXPERIENCE = "work_experience"
    COLLEGE = "college"
    SIXTH_FORM = "sixth_form"
    UNIVERSITY = "university"
    APPRENTICESHIP_PROVIDER = "apprenticeship_provider"
    GUIDANCE_INTERVIEW = "guidance_interview"
    CURRICULUM_LINKED = "curriculum_linked"
    LABOUR_MARKET_INFO = "labour_market_info"
    OTHER = "other"


@dataclass(frozen=True)
class KindInfo:
    label: str
    benchmarks: tuple[int, ...]
    organisation_kind: OrganisationKind


ENCOUNTER_KINDS: dict[EncounterKind, KindInfo] = {
    EncounterKind.EMPLOYER_TALK: KindInfo("Employer talk", (5,), OrganisationKind.EMPLOYER),
    EncounterKind.EMPLOYER_MENTORING: KindInfo("Employer mentoring", (5,), OrganisationKind.EMPLOYER),
    EncounterKind.CAREERS_FAIR: KindInfo("Careers fair", (5, 7), OrganisationKind.OTHER),
    EncounterKind.WORKPLACE_VISIT: KindInfo("Workplace visit", (6,), OrganisationKind.EMPLOYER),
    EncounterKind.WORK_EXPERIENCE: KindInfo("Work experience placement", (6,), OrganisationKind.EMPLOYER),
    EncounterKind.COLLEGE: KindInfo("FE college encounter", (7,), OrganisationKind.FE_COLLEGE),
    EncounterKind.SIXTH_FORM: KindInfo("Sixth form encounter", (7,), OrganisationKind.SIXTH_FORM),
    EncounterKind.UNIVERSITY: KindInfo("University encounter", (7,), OrganisationKind.UNIVERSITY),
    EncounterKind.APPRENTICESHIP_PROVIDER: KindInfo(
        "Apprenticeship provider encounter", (7,), OrganisationKind.ITP),
    EncounterKind.GUIDANCE_INTERVIEW: KindInfo("Guidance interview", (8,), OrganisationKind.OTHER),
    EncounterKind.CURRICULUM_LINKED: KindInfo(
        "Curriculum-linked careers activity", (4,), OrganisationKind.OTHER),
    EncounterKind.LABOUR_MARKET_INFO: KindInfo(
        "Careers and labour market information", (2,), OrganisationKind.OTHER),
    EncounterKind.OTHER: KindInfo("Other careers activity", (), OrganisationKind.OTHER),
}


def default_benchmarks(kind: EncounterKind | str) -> tuple[int, ...]:
    """Benchmarks an encounter of this kind counts towards unless a careers leader changes them."""
    return ENCOUNTER_KINDS[EncounterKind(kind)].benchmarks


def kind_label(kind: EncounterKind | str) -> str:
    """Human label of an encounter kind."""
    return ENCOUNTER_KINDS[EncounterKind(kind)].label


def clean_benchmarks(numbers) -> tuple[int, ...]:
    """Sorted, de-duplicated benchmark numbers; raises ValueError for anything not 1-8."""
    result = set()
    for n in numbers:
        n = int(n)
        if n not in BY_NUMBER:
            raise ValueError(f"There is no Benchmark {n}.")
        result.add(n)
    return tuple(sorted(result))
