"""school preferences (issue 13): a folded search column for pupils, and calendar links that
carry planned events beside milestones

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa

from careers_app.domain.search_text import SEARCH_TEXT_LENGTH, pupil_search_text


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pupil', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=SEARCH_TEXT_LENGTH),
                                      nullable=False, server_default=''))
    with op.batch_alter_table('calendar_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('with_events', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    # Fill the search column for the pupils already held, a batch at a time.
    bind = op.get_bind()
    pupil = sa.table('pupil', sa.column('id', sa.Integer), sa.column('upn', sa.String),
                     sa.column('legal_forename', sa.String),
                     sa.column('preferred_forename', sa.String),
                     sa.column('surname', sa.String), sa.column('search_text', sa.String))
    rows = bind.execute(sa.select(pupil.c.id, pupil.c.legal_forename, pupil.c.preferred_forename,
                                  pupil.c.surname, pupil.c.upn).order_by(pupil.c.id)).all()
    update = (sa.update(pupil).where(pupil.c.id == sa.bindparam('pupil_id'))
              .values(search_text=sa.bindparam('folded')))
    for start in range(0, len(rows), 1000):
        bind.execute(update, [
            {'pupil_id': row.id,
             'folded': pupil_search_text(row.legal_forename, row.preferred_forename,
                                         row.surname, row.upn)}
            for row in rows[start:start + 1000]])


def downgrade():
    with op.batch_alter_table('calendar_token', schema=None) as batch_op:
        batch_op.drop_column('with_events')
    with op.batch_alter_table('pupil', schema=None) as batch_op:
        batch_op.drop_column('search_text')
