"""login throttle: per-device failure counts; display names as long as a pupil's full name

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_login_attempt_device_at', ['device', 'at'], unique=False)

    # A pupil's forename and surname are 100 characters each: the login made for them holds
    # both and the space between.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('display_name', existing_type=sa.String(length=120),
                              type_=sa.String(length=201), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('display_name', existing_type=sa.String(length=201),
                              type_=sa.String(length=120), existing_nullable=False,
                              postgresql_using='left(display_name, 120)')

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_device_at')
        batch_op.drop_column('device')
