"""Every message has a Chinese translation with the same placeholders, and pages use it."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import Browser
from web.i18n import TRANSLATIONS_DIR

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_the_chinese_catalog_is_complete_and_keeps_placeholders() -> None:
    with (TRANSLATIONS_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    untranslated, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            untranslated.append(ids[0])
        elif set(PLACEHOLDER.findall(str(ids[-1]))) != set(PLACEHOLDER.findall(str(strings[0]))):
            broken.append(ids[0])
    # Babel's own checks, which `pybabel compile` reports (e.g. a placeholder the msgid lacks)
    checked = [f"{message.id}: {error}" for message, errors in catalog.check() for error in errors]
    print(f"messages: {len(catalog)}")
    assert untranslated == [] and broken == [] and checked == []


PACKAGES = ("core", "accounts", "campaigns", "teams", "judging", "incubation", "notifications", "automation", "web")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]


def test_the_catalog_holds_every_marked_message() -> None:
    """What ``make extract-messages`` would find is in the catalog: no string is shown untranslated."""
    root = Path(__file__).resolve().parents[2]
    with (TRANSLATIONS_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po) if m.id}
    marked = set()
    for package in PACKAGES:
        options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
        found = extract_from_dir(
            root / package,
            METHODS,
            options,
            keywords=KEYWORDS,
            directory_filter=lambda path: not Path(path).name.startswith("."),  # `_partials` too
        )
        for _file, _line, message, _comments, _context in found:
            marked.add(message if isinstance(message, str) else message[0])
    missing = sorted(marked - known)
    print(f"marked messages: {len(marked)}, missing from the catalog: {len(missing)}")
    assert missing == [], "run `make extract-messages` and translate: " + "; ".join(missing[:10])


async def test_pages_render_in_chinese(browser: Browser, db: AsyncSession) -> None:
    organizer = await f.make_user(db, "org@example.com")
    scenario = await f.make_campaign(db, organizer=organizer)
    await db.commit()
    await browser.post("/language", {"locale": "zh_CN"})
    assert "登录" in (await browser.get("/sign-in")).text
    await browser.sign_in("org@example.com")
    for url in ("/", "/campaigns", f"/campaigns/{scenario.campaign.id}", "/judging"):
        page = await browser.get(url)
        assert page.status_code == 200 and 'lang="zh-CN"' in page.text
        assert "活动" in page.text or "评审" in page.text, url


def test_template_translations_escape_their_values_and_follow_the_reader() -> None:
    from web import i18n
    from web.templating import build_environment

    env = build_environment()
    page = env.from_string(
        '{{ _("Hello %(name)s", name=who) }} | {{ ngettext("%(num)s team", "%(num)s teams", n) }} | '
        '{% trans %}Sign in{% endtrans %} | {{ _("100%% sure") }}'
    )
    i18n.set_locale("en")
    assert page.render(who="<b>Ann</b>", n=2) == "Hello &lt;b&gt;Ann&lt;/b&gt; | 2 teams | Sign in | 100% sure"
    i18n.set_locale("zh_CN")
    try:
        assert page.render(who="Ann", n=1).split(" | ")[2] == i18n.gettext("Sign in") != "Sign in"
    finally:
        i18n.set_locale("en")
