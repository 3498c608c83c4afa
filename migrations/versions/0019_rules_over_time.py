"""rules over time: offers to year groups, BM8 level 6 by default (issue 12)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01

Offers (table encounter_offer: encounter, cohort). Provider Access phase 3 asks schools to
*offer* provider encounters to every pupil in Years 12-13. Until now the dashboard treated an
encounter as offered to a whole year group as soon as any one pupil of it took part, so one
pupil at a targeted session credited everyone. Existing encounters are carried over as the
school most likely meant them:

* a planned event that invited a year group ("yg:12") was offered to that year group;
* an encounter attended by at least half of a year group's pupils on roll that day was
  offered to that year group (a whole-year talk with absences);
* anything smaller (a targeted session) offers nothing beyond the pupils who took part.

A careers leader can tick or untick "Offered to the whole year group" on any encounter after.

Benchmark 8 and level 6. The 2025 statutory guidance counts personal guidance only from an
adviser qualified to level 6 or above. The school setting `guidance_needs_level6` used to
default to False, and the settings page stored that default for every school that saved it;
nobody chose it. So every stored False becomes True (the new default); a school that wants the
old reading switches it off again on the settings page, and the dashboard then says so.
Downgrading drops the offers and leaves the settings as they are (True was always allowed).
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# At least this share of a year group on roll that day took part: it was offered to them all.
WHOLE_YEAR_SHARE = 2  # participants * 2 >= on roll


def _create_offers():
    op.create_table(
        'encounter_offer',
        sa.Column('encounter_id', sa.Integer(), nullable=False),
        sa.Column('cohort', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('encounter_id', 'cohort'),
    )
    with op.batch_alter_table('encounter_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_encounter_offer_school_id'), ['school_id'],
                              unique=False)
        batch_op.create_index('ix_encounter_offer_school_cohort', ['school_id', 'cohort'],
                              unique=False)


def _carry_offers_over(conn):
    conn.execute(sa.text(
        "INSERT INTO encounter_offer (school_id, encounter_id, cohort) "
        "SELECT e.school_id, e.id, p.cohort FROM encounter e "
        "JOIN participation pa ON pa.encounter_id = e.id JOIN pupil p ON p.id = pa.pupil_id "
        "GROUP BY e.school_id, e.id, e.date, p.cohort "
        f"HAVING COUNT(*) * {WHOLE_YEAR_SHARE} >= (SELECT COUNT(*) FROM pupil q "
        "WHERE q.school_id = e.school_id AND q.cohort = p.cohort "
        "AND (q.joined_on IS NULL OR q.joined_on <= e.date) "
        "AND (q.left_on IS NULL OR q.left_on >= e.date))"))
    have = set(conn.execute(sa.text("SELECT encounter_id, cohort FROM encounter_offer")))
    rows = []
    for encounter_id, school_id, academic_year, invited in conn.execute(sa.text(
            "SELECT id, school_id, academic_year, invited_groups FROM encounter "
            "WHERE invited_groups LIKE '%yg:%'")):
        for line in (invited or "").splitlines():
            prefix, _, value = line.strip().partition(":")
            if prefix == "yg" and value.isascii() and value.isdigit():
                cohort = academic_year - (int(value) - 7)
                if (encounter_id, cohort) not in have:
                    have.add((encounter_id, cohort))
                    rows.append({"s": school_id, "e": encounter_id, "c": cohort})
    if rows:
        conn.execute(sa.text("INSERT INTO encounter_offer (school_id, encounter_id, cohort) "
                             "VALUES (:s, :e, :c)"), rows)


def _level6_by_default(conn):
    for school_id, raw in conn.execute(sa.text("SELECT id, settings FROM school")).all():
        settings = json.loads(raw) if isinstance(raw, str) else raw
        if isinstance(settings, dict) and settings.get("guidance_needs_level6") is False:
            settings["guidance_needs_level6"] = True
            conn.execute(sa.text("UPDATE school SET settings = :s WHERE id = :i")
                         .bindparams(sa.bindparam("s", type_=sa.JSON)),
                         {"s": settings, "i": school_id})


def upgrade():
    _create_offers()
    conn = op.get_bind()
    _carry_offers_over(conn)
    _level6_by_default(conn)


def downgrade():
    with op.batch_alter_table('encounter_offer', schema=None) as batch_op:
        batch_op.drop_index('ix_encounter_offer_school_cohort')
        batch_op.drop_index(batch_op.f('ix_encounter_offer_school_id'))
    op.drop_table('encounter_offer')
