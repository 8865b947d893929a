"""Every main page fits a phone: at 390x844 no page scrolls sideways and no element sticks out
past the right edge, for every role, in English and in Chinese; at a desk width (1280) neither.

Screenshots of the phone pages go to $KAIZEN_SCREENSHOTS (default /tmp/kaizen-phone), to look at.
The data is the demo (a campaign in judging, a past one with winners and incubation projects)
plus what stresses a narrow screen: an entry with several versions and files with long names, a
member with a long name and e-mail address, notifications, an extension and an award waiting.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, CampaignRole, CampaignRoleKind, Phase, PhaseKind
from core.audit import AuditEntry
from incubation.models import IncubationProject
from judging.models import Award
from notifications.models import NotificationKind
from notifications.services import notify
from teams.models import Attachment, Entry, EntryVersion, Extension, Membership, Team
from web.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
SHOTS = Path(os.environ.get("KAIZEN_SCREENSHOTS", "/tmp/kaizen-phone"))  # noqa: S108 - screenshots to look at

LONG_NAME = "Maximiliana Alexandrova-Westinghouse-Featherstonehaugh"
LONG_EMAIL = "maximiliana.alexandrova-westinghouse@operations.example.com"
LONG_FILES = [
    (
        "Warehouse-picking-error-analysis-Q3-2026-all-three-sites-final-v7-with-appendix.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("Pick_to_light_pilot_results_aisle_14_week_1_and_week_2_raw_measurements.csv", "text/csv"),
    ("拣货灯引导推车试点项目总结报告（第一阶段，含成本分析与推广计划）.pdf", "application/pdf"),
    ("IMG_20270314_094512_pick_cart_prototype_front_view.jpeg", "image/jpeg"),
]
LONG_URL = (
    "https://prototypes.example.com/pick-right/warehouse-3/aisle-14/pick-to-light-cart-prototype-v2?build=2027-03-14"
)

# the long names must really be on the pages that are to carry them, else fitting proves nothing
MUST_SHOW: dict[tuple[str, str], list[str]] = {
    ("alice", "entry page"): [name for name, _type in LONG_FILES] + [LONG_NAME],
    ("alice", "entry compare"): [LONG_URL],
    ("judge3", "score form"): [LONG_URL, LONG_FILES[0][0]],
    ("organizer", "people"): [LONG_NAME, LONG_EMAIL],
    ("organizer", "progress"): [LONG_EMAIL],
    ("admin", "admin users"): [LONG_EMAIL],
    ("admin", "admin user edit"): [LONG_EMAIL],
    ("organizer", "audit log"): [LONG_EMAIL, LONG_URL],
}

# What a page may not do: scroll sideways, or hold a visible element past the right edge (inside
# a box that scrolls or clips on its own, an element may: that box is what has to fit).
MEASURE = """() => {
  const vw = window.innerWidth;
  // inside a box that scrolls or clips by itself (from `from` upwards), overflow is that box's business
  const clipped = (from) => {
    for (let p = from; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].join(".");
    const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return text ? s + " «" + text + "»" : s;
  };
  let right = 0, worst = null;
  const consider = (box, el, clipFrom) => {
    if (box.width === 0 || box.height === 0) return;
    if (box.right <= vw + 1) { right = Math.max(right, box.right); return; }
    if (clipped(clipFrom)) return;
    if (box.right > right) { right = box.right; worst = name(el); }
  };
  for (const el of document.body.querySelectorAll("*")) {
    // not rendered: display none, visibility hidden, or inside a closed <details>
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    consider(el.getBoundingClientRect(), el, el.parentElement);
  }
  // text can overflow a box that itself fits (a long word or address)
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || !parent.checkVisibility({visibilityProperty: true})) continue;
    range.selectNodeContents(node);
    consider(range.getBoundingClientRect(), parent, parent);
  }
  return {scroll: document.documentElement.scrollWidth, inner: vw, right: Math.round(right), worst: worst};
}"""


async def _seed(db: AsyncSession, now: datetime) -> dict[str, int]:
    """The demo plus the long names, versions, files, notifications and waiting award a phone must carry."""
    assert await load_demo(db, now)
    users = {u.email.split("@")[0]: u for u in await db.scalars(select(User))}
    campaigns = {c.title: c for c in await db.scalars(select(Campaign))}
    spring = campaigns["2027 Spring Innovation Challenge"]
    autumn = campaigns["2026 Autumn Cost Challenge"]
    draft = campaigns["2027 Summer Sustainability Sprint"]
    phases = {(p.campaign_id, p.kind): p for p in await db.scalars(select(Phase))}
    teams = {t.name: t for t in await db.scalars(select(Team))}
    pick = teams["Pick Right"]
    entry = await db.scalar(select(Entry).where(Entry.team_id == pick.id))
    assert entry is not None
    submission: Phase = phases[(spring.id, PhaseKind.SUBMISSION)]
    judging: Phase = phases[(spring.id, PhaseKind.JUDGING)]

    long_user = User(
        email=LONG_EMAIL,
        name=LONG_NAME,
        password_hash=users["alice"].password_hash,
        department_id=users["alice"].department_id,
    )
    db.add(long_user)
    await db.flush()
    db.add(Membership(team_id=pick.id, campaign_id=spring.id, user_id=long_user.id))
    db.add(CampaignRole(campaign_id=spring.id, user_id=long_user.id, role=CampaignRoleKind.JUDGE))
    entry.prototype_url = LONG_URL
    submitted = await db.scalar(
        select(EntryVersion).where(EntryVersion.entry_id == entry.id, EntryVersion.number == entry.submitted_version)
    )
    assert submitted is not None
    submitted.prototype_url = LONG_URL  # what judges see
    latest = entry.submitted_version or 1
    for number in range(latest + 1, latest + 5):  # drafts saved during the extension, by several people
        db.add(
            EntryVersion(
                entry_id=entry.id,
                number=number,
                author_id=(long_user, users["alice"], users["bob"])[number % 3].id,
                submitted=False,
                saved_at=now - timedelta(hours=10 - number),
                title=entry.title,
                summary=entry.summary,
                problem=entry.problem,
                solution=entry.solution,
                expected_impact=entry.expected_impact,
                prototype_url=LONG_URL,
            )
        )
    for n, (name, content_type) in enumerate(LONG_FILES):
        db.add(
            Attachment(
                entry_id=entry.id,
                original_name=name,
                stored_name=hashlib.sha256(name.encode()).hexdigest()[:32],
                content_type=content_type,
                size_bytes=123_456 * (n + 1),
                sha256=hashlib.sha256(name.encode()).hexdigest(),
                uploaded_by_id=users["alice"].id,
                submitted=True,
                created_at=now - timedelta(hours=5 - n),
            )
        )
    db.add(
        Extension(
            team_id=pick.id,
            phase_id=submission.id,
            until=now + timedelta(days=1),
            reason="The pilot aisle was closed for a stock count during the last week of the submission phase.",
            granted_by_id=users["organizer"].id,
        )
    )
    hello = teams["Hello Week"]
    db.add(
        Award(
            campaign_id=spring.id,
            challenge_id=hello.challenge_id,
            name="Best customer impact",
            team_id=hello.id,
            citation="Support contacts in week one down by a third in the pilot group.",
        )
    )
    common = {"campaign": spring.title, "timezone": spring.timezone}
    await notify(
        db,
        now - timedelta(hours=2),
        [users["alice"].id, long_user.id],
        NotificationKind.EXTENSION_GRANTED,
        {
            **common,
            "team": pick.name,
            "phase": submission.name,
            "until": (now + timedelta(days=1)).isoformat(),
            "reason": "The pilot aisle was closed for a stock count.",
        },
        link=f"/teams/{pick.id}/entry?phase={submission.id}",
        campaign_id=spring.id,
    )
    judges = [users[f"judge{i}"].id for i in range(1, 6)]
    await notify(
        db,
        now - timedelta(hours=1),
        judges,
        NotificationKind.JUDGING_REMINDER,
        {**common, "phase": judging.name, "unfinished": 3, "hours": 24, "closes_at": judging.closes_at.isoformat()},
        link="/judging",
        campaign_id=spring.id,
    )
    await notify(
        db,
        now - timedelta(minutes=30),
        [users["exec"].id],
        NotificationKind.AWARDS_TO_APPROVE,
        common,
        link=f"/campaigns/{spring.id}/awards/approval",
        campaign_id=spring.id,
    )
    await notify(
        db,
        now - timedelta(minutes=10),
        [users["organizer"].id],
        NotificationKind.AUTOMATION_FAILED,
        {**common, "action": "publish_results", "message": "Results cannot be published without an award."},
        link=f"/campaigns/{spring.id}/timeline",
        campaign_id=spring.id,
    )
    # the audit log: a person with a long name and address, long values, the system
    db.add_all(
        [
            AuditEntry(
                at=now - timedelta(hours=3),
                actor_id=long_user.id,
                action="extension.grant",
                subject_type="team",
                subject_id=pick.id,
                campaign_id=spring.id,
                before={"until": None},
                after={"until": (now + timedelta(days=1)).isoformat(), "note": LONG_URL, "files": LONG_FILES[:2]},
                reason="The pilot aisle was closed for a stock count during the last week of the submission phase.",
            ),
            AuditEntry(
                at=now - timedelta(hours=4),
                actor_id=None,
                action="phase.close",
                subject_type="phase",
                subject_id=submission.id,
                campaign_id=spring.id,
                before={"status": "open"},
                after={"status": "closed", "late_by_seconds": 0},
            ),
        ]
    )
    await db.flush()
    project = await db.scalar(select(IncubationProject).order_by(IncubationProject.id))
    assert project is not None
    ids = {
        "spring": spring.id,
        "autumn": autumn.id,
        "draft": draft.id,
        "submission": submission.id,
        "judging": judging.id,
        "pick": pick.id,
        "entry": entry.id,
        "winner": project.team_id,
        "project": project.id,
        "long_user": long_user.id,
        "challenge": hello.challenge_id,
        "judge3": users["judge3"].id,
    }
    await db.commit()
    return ids


def _pages(ids: dict[str, int]) -> dict[str, list[tuple[str, str]]]:
    """(label, path) per account; the sign-in page for nobody."""
    s, j = ids["spring"], ids["judging"]
    judging = f"/campaigns/{s}/phases/{j}"
    return {
        "": [("sign-in", "/sign-in")],
        "alice": [
            ("home", "/"),
            ("campaign list", "/campaigns"),
            ("campaign detail", f"/campaigns/{s}"),
            ("team page", f"/teams/{ids['pick']}"),
            ("entry page", f"/teams/{ids['pick']}/entry?phase={ids['submission']}"),
            ("entry version", f"/teams/{ids['pick']}/entry/versions/2?phase={ids['submission']}"),
            ("entry compare", f"/teams/{ids['pick']}/entry/compare?phase={ids['submission']}&old=1"),
            ("team results", f"/teams/{ids['winner']}/result"),
            ("winners", f"/campaigns/{ids['autumn']}/winners"),
            ("notifications", "/notifications"),
            ("notification settings", "/account/notifications"),
            ("invitations", "/invitations"),
            ("my record", "/me/record"),
        ],
        "judge3": [
            ("home", "/"),
            ("judging queue", "/judging"),
            ("score form", f"/judging/{j}/entries/{ids['entry']}"),
            ("notifications", "/notifications"),
        ],
        "organizer": [
            ("home", "/"),
            ("campaign detail", f"/campaigns/{s}"),
            ("timeline", f"/campaigns/{s}/timeline"),
            ("people", f"/campaigns/{s}/people"),
            ("teams and entries", f"/campaigns/{s}/entries"),
            ("extensions", f"/campaigns/{s}/extensions"),
            ("judging set-up", f"{judging}/setup"),
            ("rubric", f"{judging}/rubric"),
            ("assignments", f"{judging}/assignments"),
            ("progress", f"{judging}/progress"),
            ("advancement", f"{judging}/advancement"),
            ("scorecard import", f"{judging}/import"),
            ("organizer results", f"/campaigns/{s}/results"),
            ("past results", f"/campaigns/{ids['autumn']}/results"),
            ("audit log", f"/campaigns/{s}/audit"),
            ("campaign form", f"/campaigns/{ids['draft']}/edit"),
            ("challenge form", f"/campaigns/{s}/challenges/{ids['challenge']}/edit"),
            ("notifications", "/notifications"),
        ],
        "exec": [
            ("home", "/"),
            ("award approval", f"/campaigns/{s}/awards/approval"),
            ("incubation list", "/incubation"),
            ("incubation project", f"/incubation/projects/{ids['project']}"),
            ("new project", "/incubation/projects/new"),
            ("new campaign", "/campaigns/new"),
            ("dashboard", "/dashboard"),
            ("campaign report", f"/dashboard?campaign={ids['autumn']}"),
            ("judge record", f"/people/{ids['judge3']}/record"),
        ],
        "admin": [
            ("home", "/"),
            ("admin users", "/admin/users"),
            ("admin user edit", f"/admin/users/{ids['long_user']}/edit"),
            ("admin new user", "/admin/users/new"),
            ("admin import", "/admin/users/import"),
            ("admin departments", "/admin/departments"),
            ("admin audit log", "/audit"),
        ],
    }


async def _sign_in(page: Any, server: str, account: str, locale: str) -> None:
    await page.context.clear_cookies()
    await page.context.add_cookies([{"name": "kaizen_lang", "value": locale, "url": server}])
    if not account:
        return
    await page.goto(server + "/sign-in")
    await page.fill("input[name=email]", f"{account}@example.com")
    await page.fill("input[name=password]", DEMO_PASSWORD)
    async with page.expect_navigation():
        await page.click("form[action='/sign-in'] button[type=submit]")
    assert page.url == server + "/", f"{account} could not sign in"


# a table that scrolls by itself is a region one can reach and scroll with the keyboard, with a name
UNNAMED_SCROLL_BOXES = """() => [...document.querySelectorAll(".table-scroll")].filter((box) => {
  const named = box.getAttribute("aria-label")
    || (document.getElementById(box.getAttribute("aria-labelledby") || "") || {}).textContent;
  return box.getAttribute("role") !== "region" || box.tabIndex !== 0 || !(named || "").trim();
}).map((box) => box.outerHTML.slice(0, 120))"""


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


async def _measure(page: Any) -> dict[str, dict[str, Any]]:
    """The page as loaded, then with every disclosure open (a removal to confirm, a form to edit)."""
    closed: dict[str, Any] = await page.evaluate(MEASURE)
    await page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    opened: dict[str, Any] = await page.evaluate(MEASURE)
    return {"as loaded": closed, "disclosures open": opened}


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
async def test_every_page_fits_a_phone_and_a_desk(
    db: AsyncSession, live_server: str, page: Any, locale: str, shots: Path
) -> None:
    ids = await _seed(db, datetime.now(UTC))
    problems: list[str] = []
    lines: list[str] = []
    for account, pages in _pages(ids).items():
        await _sign_in(page, live_server, account, locale)
        for label, path in pages:
            widths = []
            for size in (PHONE, DESK):
                await page.set_viewport_size(size)
                response = await page.goto(live_server + path)
                assert response is not None and response.status == 200, (account, path)
                assert urlsplit(page.url).path == urlsplit(path).path, f"{path} led to {page.url}"
                assert await page.get_attribute("html", "lang") == ("zh-CN" if locale == "zh_CN" else "en")
                if size is PHONE:
                    text = await page.inner_text("main")
                    missing = [needle for needle in MUST_SHOW.get((account, label), []) if needle not in text]
                    assert not missing, f"{label} does not show {missing}: the stress data did not reach it"
                    shot = shots / f"{locale}-{account or 'anonymous'}-{label.replace(' ', '-')}.png"
                    await page.screenshot(path=str(shot), full_page=True)
                    assert await page.evaluate(UNNAMED_SCROLL_BOXES) == [], path
                measured = await _measure(page)
                widths.append(max(found["scroll"] for found in measured.values()))
                problems += [
                    f"{size['width']} px, {locale}, {account or 'anonymous'}, {label} ({path}), {state}: {found}"
                    for state, found in measured.items()
                    if found["scroll"] > found["inner"] or found["worst"]
                ]
            lines.append(f"{locale:5} {account or 'anonymous':9} {label:22} {widths[0]:>5} {widths[1]:>5}")
    print(f"\nscrollWidth per page, {locale} (phone 390 px, desk 1280 px):\n" + "\n".join(lines))
    assert not problems, "\n".join(problems)
