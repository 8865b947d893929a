"""What the team pages and the entry page share: the fields' limits, refusals as translated messages."""

from __future__ import annotations

from teams.models import ENTRY_SUMMARY_MAX, ENTRY_TEXT_MAX, ENTRY_TITLE_MAX, TEAM_NAME_MAX, URL_MAX

LIMITS = {
    "name": TEAM_NAME_MAX,
    "title": ENTRY_TITLE_MAX,
    "summary": ENTRY_SUMMARY_MAX,
    "text": ENTRY_TEXT_MAX,
    "url": URL_MAX,
}
