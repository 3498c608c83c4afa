"""shared events: shared events, check-in codes, the shared organisation directory (issue 15)

Every existing organisation gets its own directory record (one each: two schools' rows are
never merged silently; near-duplicates are offered to a careers leader on /organisations).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa

from careers_app.organisations.names import name_key


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None



def _kinds():
    from careers_app.domain.benchmarks import EncounterKind, OrganisationKind
    return ([k.value for k in OrganisationKind], [k.value for k in EncounterKind])


def _tables(org_kinds, encounter_kinds):
    op.create_table(
        'directory_organisation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.Enum(*org_kinds, name='organisationkind', native_enum=False,
                                  length=20), nullable=False),
        sa.Column('self_employed', sa.Boolean(), nullable=False),
        sa.Column('sector', sa.String(length=120), nullable=False),
        sa.Column('website', sa.String(length=300), nullable=False),
        sa.Column('contact_name', sa.String(length=120), nullable=False),
        sa.Column('contact_email', sa.String(length=254), nullable=False),
        sa.Column('contact_phone', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_directory_organisation_name_key', 'directory_organisation', ['name_key'])
    op.create_table(
        'shared_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),

        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.Enum(*encounter_kinds, name='encounterkind', native_enum=False,
                                  length=40), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('start_time', sa.Time(), nullable=False),
        sa.Column('end_time', sa.Time(), nullable=False),
        sa.Column('location', sa.String(length=200), nullable=False),
        sa.Column('organisation_name', sa.String(length=200), nullable=False),
        sa.Column('year_groups', sa.String(length=40), nullable=False),
        sa.Column('checkin_salt', sa.String(length=64), nullable=False),
        sa.Column('checkin_lookup', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['group_id'], ['school_group.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('checkin_lookup'),
    )
    op.create_index('ix_shared_event_group_id', 'shared_event', ['group_id'])
    op.create_index('ix_shared_event_school_id', 'shared_event', ['school_id'])
    op.create_table(
        'shared_event_school',
        sa.Column('shared_event_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shared_event_id'], ['shared_event.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('shared_event_id', 'school_id'),
    )
    op.create_index('ix_shared_event_school_school_id', 'shared_event_school', ['school_id'])
    op.create_table(
        'shared_event_checkin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shared_event_id', sa.Integer(), nullable=False),
        sa.Column('pupil_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shared_event_id'], ['shared_event.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('shared_event_id', 'pupil_id'),
    )
    op.create_index('ix_shared_event_checkin_pupil_id', 'shared_event_checkin', ['pupil_id'])
    op.create_index('ix_shared_event_checkin_school_id', 'shared_event_checkin', ['school_id'])
    op.create_table(
        'checkin_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pupil_id', sa.Integer(), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_checkin_attempt_school_id', 'checkin_attempt', ['school_id'])
    op.create_index('ix_checkin_attempt_at', 'checkin_attempt', ['at'])
    op.create_index('ix_checkin_attempt_ip', 'checkin_attempt', ['ip'])
    op.create_index('ix_checkin_attempt_pupil_id', 'checkin_attempt', ['pupil_id'])


def upgrade():
    org_kinds, encounter_kinds = _kinds()
    _tables(org_kinds, encounter_kinds)
    with op.batch_alter_table('organisation') as batch:
        batch.add_column(sa.Column('directory_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('private_notes', sa.Text(), nullable=False,
                                   server_default=''))
        batch.create_index('ix_organisation_directory_id', ['directory_id'])
        batch.create_foreign_key('fk_organisation_directory_id', 'directory_organisation',
                                 ['directory_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('organisation') as batch:
        batch.alter_column('private_notes', server_default=None)
    with op.batch_alter_table('encounter') as batch:
        batch.add_column(sa.Column('shared_event_id', sa.Integer(), nullable=True))
        batch.create_index('ix_encounter_shared_event_id', ['shared_event_id'])
        batch.create_foreign_key('fk_encounter_shared_event_id', 'shared_event',
                                 ['shared_event_id'], ['id'], ondelete='SET NULL')
    _directory_for_existing_organisations()


def _directory_for_existing_organisations():
    """One directory record per existing organisation (never merged here)."""
    bind = op.get_bind()
    organisation = sa.table('organisation', sa.column('id'), sa.column('name'),
                            sa.column('kind'), sa.column('self_employed'),
                            sa.column('created_at'), sa.column('directory_id'))
    directory = sa.table('directory_organisation', sa.column('id'), sa.column('name'),
                         sa.column('name_key'), sa.column('kind'), sa.column('self_employed'),
                         sa.column('sector'), sa.column('website'), sa.column('contact_name'),
                         sa.column('contact_email'), sa.column('contact_phone'),
                         sa.column('created_at'), sa.column('updated_at'))
    rows = bind.execute(sa.select(organisation.c.id, organisation.c.name, organisation.c.kind,
                                  organisation.c.self_employed, organisation.c.created_at)
                        .order_by(organisation.c.id)).all()
    for row in rows:
        new_id = bind.execute(sa.insert(directory).values(
            name=row.name, name_key=name_key(row.name), kind=row.kind,
            self_employed=bool(row.self_employed), sector='', website='', contact_name='',
            contact_email='', contact_phone='', created_at=row.created_at,
            updated_at=row.created_at).returning(directory.c.id)).scalar_one()
        bind.execute(sa.update(organisation).where(organisation.c.id == row.id)
                     .values(directory_id=new_id))


def downgrade():
    with op.batch_alter_table('encounter') as batch:
        batch.drop_constraint('fk_encounter_shared_event_id', type_='foreignkey')
        batch.drop_index('ix_encounter_shared_event_id')
        batch.drop_column('shared_event_id')
    with op.batch_alter_table('organisation') as batch:
        batch.drop_constraint('fk_organisation_directory_id', type_='foreignkey')
        batch.drop_index('ix_organisation_directory_id')
        batch.drop_column('private_notes')
        batch.drop_column('directory_id')
    for index, table in (('ix_checkin_attempt_school_id', 'checkin_attempt'),
                         ('ix_checkin_attempt_pupil_id', 'checkin_attempt'),
                         ('ix_checkin_attempt_ip', 'checkin_attempt'),
                         ('ix_checkin_attempt_at', 'checkin_attempt')):
        op.drop_index(index, table_name=table)
    op.drop_table('checkin_attempt')
    op.drop_index('ix_shared_event_checkin_school_id', table_name='shared_event_checkin')
    op.drop_index('ix_shared_event_checkin_pupil_id', table_name='shared_event_checkin')
    op.drop_table('shared_event_checkin')
    op.drop_index('ix_shared_event_school_school_id', table_name='shared_event_school')
    op.drop_table('shared_event_school')
    op.drop_index('ix_shared_event_school_id', table_name='shared_event')
    op.drop_index('ix_shared_event_group_id', table_name='shared_event')
    op.drop_table('shared_event')
    op.drop_index('ix_directory_organisation_name_key', table_name='directory_organisation')
    op.drop_table('directory_organisation')
