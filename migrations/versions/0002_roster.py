"""roster: MIS import mappings, destinations, guidance (issue 3)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('header', sa.String(length=120), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_import_mapping_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mapping')),
    sa.UniqueConstraint('school_id', 'header', name=op.f('uq_import_mapping_school_id_header'))
    )
    with op.batch_alter_table('import_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_mapping_school_id'), ['school_id'], unique=False)

    op.create_table('destination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('year_after', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('year_after BETWEEN 1 AND 3', name=op.f('ck_destination_year_after_range')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], name=op.f('fk_destination_pupil_id_pupil'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_destination_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destination')),
    sa.UniqueConstraint('pupil_id', 'year_after', name=op.f('uq_destination_pupil_id_year_after'))
    )
    with op.batch_alter_table('destination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destination_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destination_school_id'), ['school_id'], unique=False)

    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('encoding', sa.String(length=20), nullable=False),
    sa.Column('delimiter', sa.String(length=2), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_import_batch_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_import_batch_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch')),
    sa.UniqueConstraint('token', name=op.f('uq_import_batch_token'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_school_id'), ['school_id'], unique=False)



def downgrade():
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_school_id'))

    op.drop_table('import_batch')
    with op.batch_alter_table('destination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destination_school_id'))
        batch_op.drop_index(batch_op.f('ix_destination_pupil_id'))

    op.drop_table('destination')
    with op.batch_alter_table('import_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_mapping_school_id'))

    op.drop_table('import_mapping')
