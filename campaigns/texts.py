"""Titles and texts of a campaign and its challenges: their limits, and names fixed once results are out.

Shared by campaigns.lifecycle and campaigns.challenges.
"""

from __future__ import annotations

from campaigns.models import TEXT_MAX, TITLE_MAX, Campaign
from core.errors import N_


def text_errors(errors: dict[str, str], title: str, texts: dict[str, str]) -> None:
    if not title:
        errors["title"] = N_("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = N_("The title is too long (at most 200 characters).")
    for field, text in texts.items():
        if len(text) > TEXT_MAX:
            errors[field] = N_("This text is too long (at most 20,000 characters).")


# the results name the campaign and its challenges: once they are published, those names stay
PUBLISHED_TITLE = N_("The results are published under this title, so it can no longer change.")


def published_title_error(errors: dict[str, str], campaign: Campaign, before: str, after: str) -> None:
    if campaign.results_published_at is not None and after != before:
        errors.setdefault("title", PUBLISHED_TITLE)
