"""The Jinja environment: autoescaped, translated per request, markdown through nh3."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markdown_it import MarkdownIt
from markupsafe import Markup

from core.timezones import is_valid_timezone
from teams.storage import LABELS as FILE_KINDS
from teams.storage import human_size
from web import flash, i18n

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static/"
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


# The template language's gettext, as jinja2.ext's "newstyle" callables behave (the text is escaped
# and always %-formatted with the call's values), minus two indirections per call: templates
# call ``_()`` some thirty times per page.
@pass_context
def _template_gettext(__context: Context, __string: str, **variables: Any) -> str:
    text = i18n.gettext(__string)
    if __context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue's text; the values are escaped by %
    return text % variables


@pass_context
def _template_ngettext(__context: Context, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
    variables.setdefault("num", __num)
    text = i18n.ngettext(__singular, __plural, __num)
    if __context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue's text; the values are escaped by %
    return text % variables


def _file_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


_cached_file_version = cache(_file_version)


def static_url(file_path: str, *, reload: bool = False) -> str:
    """The address of a file under web/static with its content's hash, so that it can be cached for a
    year (a changed file has a new address). ``reload``: hash the file each time (templates reloaded)."""
    path = STATIC_DIR / file_path
    version = _file_version(path) if reload else _cached_file_version(path)
    return f"{STATIC_PREFIX}{file_path}?v={version}"


def build_environment(*, auto_reload: bool = False) -> Environment:
    """``auto_reload``: look for changed template files on every render (development with --reload or
    KAIZEN_DEBUG); otherwise each template is compiled once per process."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        auto_reload=auto_reload,
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
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        _=_template_gettext,
        static_url=(lambda file_path: static_url(file_path, reload=True)) if auto_reload else static_url,
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


def template_config(*, auto_reload: bool = False) -> TemplateConfig[JinjaTemplateEngine]:
    env = build_environment(auto_reload=auto_reload)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))
