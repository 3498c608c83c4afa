"""roster history: tutor group and flags per academic year; the group on each participation

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

Existing pupils get one record for the current academic year holding today's values, and each
existing participation keeps the pupil's current tutor group: nothing held is lost.
"""
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _current_academic_year(today: date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def upgrade():
    op.create_table(
        'pupil_year',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pupil_id', sa.Integer(), nullable=False),
        sa.Column('academic_year', sa.Integer(), nullable=False),
        sa.Column('tutor_group', sa.String(length=20), nullable=True),
        sa.Column('send_status', sa.String(length=1), nullable=False),
        sa.Column('disadvantaged', sa.Boolean(), nullable=False),
        sa.Column('looked_after', sa.Boolean(), nullable=False),
        sa.Column('considering_he', sa.Boolean(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('pupil_id', 'academic_year'),
    )
    with op.batch_alter_table('pupil_year', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pupil_year_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_pupil_year_school_year', ['school_id', 'academic_year'],
                              unique=False)
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tutor_group', sa.String(length=20), nullable=True))

    year = _current_academic_year(date.today())
    op.execute(sa.text(
        "INSERT INTO pupil_year (school_id, pupil_id, academic_year, tutor_group, send_status, "
        "disadvantaged, looked_after, considering_he) "
        "SELECT school_id, id, :year, tutor_group, send_status, disadvantaged, looked_after, "
        "considering_he FROM pupil").bindparams(year=year))
    op.execute(sa.text(
        "UPDATE participation SET tutor_group = "
        "(SELECT pupil.tutor_group FROM pupil WHERE pupil.id = participation.pupil_id)"))


def downgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_column('tutor_group')
    with op.batch_alter_table('pupil_year', schema=None) as batch_op:
        batch_op.drop_index('ix_pupil_year_school_year')
        batch_op.drop_index(batch_op.f('ix_pupil_year_school_id'))
    op.drop_table('pupil_year')
