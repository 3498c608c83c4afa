"""group plans: group action plans and the trust calendar scope (issue 15)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    # A plan of a trust or partnership: existing plans stay school plans (group_id NULL).
    # The "trust" calendar scope needs no column: calendar_token.scope is a String(10).
    with op.batch_alter_table('action_plan') as batch:
        batch.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_action_plan_group_id_school_group', 'school_group',
                                 ['group_id'], ['id'], ondelete='CASCADE')
        batch.create_index('ix_action_plan_group_id', ['group_id'])


def downgrade():
    # Group plans have no school-plan meaning: they go, with their items and milestones.
    op.execute("DELETE FROM calendar_token WHERE scope = 'trust'")
    op.execute("DELETE FROM action_plan WHERE group_id IS NOT NULL")
    with op.batch_alter_table('action_plan') as batch:
        batch.drop_index('ix_action_plan_group_id')
        batch.drop_constraint('fk_action_plan_group_id_school_group', type_='foreignkey')
        batch.drop_column('group_id')
