"""The Jinja environment: autoescaped, translated per request, markdown through nh3."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markdown_it import MarkdownIt
from markupsafe import Markup

from core.timezones import is_valid_timezone
from teams.storage import LABELS as FILE_KINDS
from teams.storage import human_size
from web import flash, i18n

TEMPLATES_DIR = Path(__file__).parent / "templates"
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, then through an allow-list sanitiser."""
    html = _markdown.render(text or "")
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))  # noqa: S704 - sanitised above


def _stored_message(message: str, params: dict[str, Any] | None, tz: str) -> str:
    """A message kept in the database with its values (core.scheduling.storable), in the reader's
    language; times in the campaign's zone. Without values the text is shown as it is."""
    shown: dict[str, Any] = {}
    for key, value in (params or {}).items():
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) and "T" in value else None
        except ValueError:
            moment = None
        shown[key] = i18n.format_when(moment, tz) if moment is not None and moment.tzinfo else value
    try:
        return i18n.gettext(message, **shown)
    except (KeyError, ValueError, TypeError):  # a message whose placeholders no longer match its values
        return message


def _file_kind(content_type: str) -> str:
    """What an attachment is, in words: "PDF document", "Excel workbook"."""
    label = FILE_KINDS.get(content_type)
    return i18n.gettext(label) if label else content_type


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda m, **kw: i18n.gettext(m, **kw),
        lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw),
        newstyle=True,
    )
    env.globals.update(
        locales=i18n.LOCALES,
        current_locale=i18n.get_locale,
        html_lang=i18n.html_lang,
        format_number=i18n.format_number,
        format_share=i18n.format_share,
        valid_timezone=is_valid_timezone,
        viewer_zone=i18n.get_viewer_zone,
        stored_message=_stored_message,
        viewer_zone_for=i18n.viewer_zone_for,
        take_flashes=flash.take,
    )
    env.filters.update(
        markdown=render_markdown,
        dt=i18n.format_when,
        moment=i18n.format_moment,
        number=i18n.format_number,
        filesize=human_size,
        file_kind=_file_kind,
    )
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    env = build_environment()
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))
