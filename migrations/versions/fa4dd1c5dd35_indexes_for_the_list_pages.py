"""indexes for the list pages: a phase's entries by status, assignments per judge, withdrawn teams

Revision ID: fa4dd1c5dd35
Revises: a3c8b86aec40
Create Date: 2026-12-02 13:12:10.894299
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = 'fa4dd1c5dd35'
down_revision: str | None = 'a3c8b86aec40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_phase_id_judge_id', ['phase_id', 'judge_id'], unique=False)

    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.create_index('ix_entry_phase_id_status', ['phase_id', 'status', 'id'], unique=False)

    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_index('ix_team_status', ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_index('ix_team_status')

    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_phase_id_status')

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_phase_id_judge_id')
