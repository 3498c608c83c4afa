"""plan import: an item's section heading and current provision, as schools' plans have them

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        # Existing items sit under no heading and have no current provision written down.
        batch_op.add_column(sa.Column('section', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('current_provision', sa.Text(), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_column('current_provision')
        batch_op.drop_column('section')
