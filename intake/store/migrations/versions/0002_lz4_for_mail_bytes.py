"""lz4 compression for the stored mail bytes on PostgreSQL

PostgreSQL compresses large values with pglz by default, which costs about half a millisecond
of server CPU per stored message, most of it spent on attachments that do not compress at all.
lz4 compresses text a little less tightly, for a fraction of that CPU. It applies to values
written from now on; SQLite, and a PostgreSQL built without lz4, are left as they are.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# (table, column): the raw mail, attachment bytes and the replies as sent.
MAIL_BYTES = (('raw_messages', 'raw'), ('attachment_blobs', 'data'), ('outbox', 'mime'))


def _set_compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    has_lz4 = bind.execute(sa.text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )).scalar()
    if not has_lz4:
        return
    for table, column in MAIL_BYTES:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}')


def upgrade() -> None:
    _set_compression('lz4')


def downgrade() -> None:
    _set_compression('pglz')
