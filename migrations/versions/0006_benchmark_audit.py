"""benchmark audit: audits of practice and their answers with evidence snapshots (issue 6)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('benchmark_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('academic_year', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('copied_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['copied_from_id'], ['benchmark_audit.id'], name=op.f('fk_benchmark_audit_copied_from_id_benchmark_audit'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_benchmark_audit_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_benchmark_audit_started_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benchmark_audit'))
    )
    with op.batch_alter_table('benchmark_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benchmark_audit_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benchmark_audit_started_by_id'), ['started_by_id'], unique=False)

    op.create_table('benchmark_audit_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('criterion_key', sa.String(length=60), nullable=False),
    sa.Column('benchmark', sa.Integer(), nullable=False),
    sa.Column('criterion_text', sa.Text(), nullable=False),
    sa.Column('rating', sa.String(length=10), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('copied', sa.Boolean(), nullable=False),
    sa.Column('suggested_rating', sa.String(length=10), nullable=False),
    sa.Column('overridden', sa.Boolean(), nullable=False),
    sa.Column('measured_met', sa.Integer(), nullable=True),
    sa.Column('measured_total', sa.Integer(), nullable=True),
    sa.Column('measured_percent', sa.Integer(), nullable=True),
    sa.Column('measured_text', sa.Text(), nullable=False),
    sa.Column('measured_url', sa.String(length=400), nullable=False),
    sa.Column('measured_detail', sa.JSON(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("rating IN ('', 'not', 'partial', 'achieved')", name=op.f('ck_benchmark_audit_answer_rating_values')),
    sa.CheckConstraint("suggested_rating IN ('', 'not', 'partial', 'achieved')", name=op.f('ck_benchmark_audit_answer_suggested_values')),
    sa.CheckConstraint('benchmark BETWEEN 1 AND 8', name=op.f('ck_benchmark_audit_answer_benchmark_range')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_benchmark_audit_answer_answered_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['audit_id'], ['benchmark_audit.id'], name=op.f('fk_benchmark_audit_answer_audit_id_benchmark_audit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_benchmark_audit_answer_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benchmark_audit_answer')),
    sa.UniqueConstraint('audit_id', 'criterion_key', name=op.f('uq_benchmark_audit_answer_audit_id_criterion_key'))
    )
    with op.batch_alter_table('benchmark_audit_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benchmark_audit_answer_answered_by_id'), ['answered_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benchmark_audit_answer_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benchmark_audit_answer_school_id'), ['school_id'], unique=False)



def downgrade():
    with op.batch_alter_table('benchmark_audit_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benchmark_audit_answer_school_id'))
        batch_op.drop_index(batch_op.f('ix_benchmark_audit_answer_audit_id'))
        batch_op.drop_index(batch_op.f('ix_benchmark_audit_answer_answered_by_id'))

    op.drop_table('benchmark_audit_answer')
    with op.batch_alter_table('benchmark_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benchmark_audit_started_by_id'))
        batch_op.drop_index(batch_op.f('ix_benchmark_audit_school_id'))

    op.drop_table('benchmark_audit')
