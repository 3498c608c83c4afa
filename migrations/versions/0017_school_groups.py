"""school groups: trusts and partnerships, their member schools and leads

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'school_group',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.Enum('trust', 'partnership', name='groupkind', native_enum=False,
                                  length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'school_group_member',
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['school_group.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('group_id', 'school_id'),
    )
    op.create_index('ix_school_group_member_school_id', 'school_group_member', ['school_id'])
    op.create_table(
        'group_lead',
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['school_group.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('group_id', 'user_id'),
    )
    op.create_index('ix_group_lead_user_id', 'group_lead', ['user_id'])


def downgrade():
    op.drop_index('ix_group_lead_user_id', table_name='group_lead')
    op.drop_table('group_lead')
    op.drop_index('ix_school_group_member_school_id', table_name='school_group_member')
    op.drop_table('school_group_member')
    op.drop_table('school_group')
