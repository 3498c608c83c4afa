"""roster history import: MIS admission and leaving dates, import undo, value mappings (issue 12)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01

Existing data is carried over: every applied import keeps its counts (it has no undo
snapshot, so it cannot be undone); every pupil without a record for the current academic
year gets one holding today's values; and each school's first import, which used to put
its pupils on roll from the import day, now puts them on roll from the start of that
academic year, so encounters back-filled for the weeks before count for them.
"""
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def _academic_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def upgrade():
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leaving_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('on_roll_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('undo', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'import_value_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=30), nullable=False),
        sa.Column('value', sa.String(length=120), nullable=False),
        sa.Column('mapped', sa.String(length=1), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('school_id', 'field', 'value'),
    )
    with op.batch_alter_table('import_value_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_value_mapping_school_id'), ['school_id'],
                              unique=False)

    conn = op.get_bind()
    year = _academic_year(date.today())
    conn.execute(sa.text(
        "INSERT INTO pupil_year (school_id, pupil_id, academic_year, tutor_group, send_status, "
        "disadvantaged, looked_after, considering_he) "
        "SELECT school_id, id, :year, tutor_group, send_status, disadvantaged, looked_after, "
        "considering_he FROM pupil WHERE NOT EXISTS (SELECT 1 FROM pupil_year "
        "WHERE pupil_year.pupil_id = pupil.id AND pupil_year.academic_year = :year)"
    ).bindparams(year=year))
    # A school's first import is its earliest joining day: nobody joined on it.
    firsts = conn.execute(sa.text(
        "SELECT school_id, MIN(joined_on) FROM pupil WHERE joined_on IS NOT NULL "
        "GROUP BY school_id")).all()
    for school_id, first in firsts:
        if isinstance(first, str):  # SQLite hands back the stored text
            first = date.fromisoformat(first[:10])
        start = date(_academic_year(first), 9, 1)
        conn.execute(sa.text(
            "UPDATE pupil SET joined_on = :start WHERE school_id = :school AND joined_on = :first"
        ).bindparams(start=start, school=school_id, first=first))


def downgrade():
    with op.batch_alter_table('import_value_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_value_mapping_school_id'))
    op.drop_table('import_value_mapping')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('undone_at')
        batch_op.drop_column('undo')
        batch_op.drop_column('on_roll_from')
        batch_op.drop_column('leaving_date')
