"""No input makes the server fail: every route, every form field, malformed values, never a 5xx.

The routes come from ``app.routes``. Each one is requested as a persona who may use it (admin,
executive, organizer, judge, team captain, a participant without a team, or nobody), with its
path ids replaced by real ids of a seeded campaign and by ids past the 64-bit range. A POST
route's fields are those of the forms found on the app's own pages (crawled as the same
personas, with their default values), plus the names the handlers read; GET routes get their
declared query parameters. Values are malformed the ways a fuzzer and careless people manage:
NUL bytes, numbers of 2^63 and more, Unicode digits such as ``²``, the ends of the calendar,
``1e20``, ``nan``, text of thousands of characters, over-long e-mails, nothing at all.

``test_every_route_and_field_survives_malformed_values`` (deterministic) sends each malformed
value to every field of every route at once, ids past the 64-bit range and a NUL byte in every
path, and each edge value (far dates, ``1e20``, ``nan``, ``²``, 2^63) to each field of each form
alone, its other fields keeping their defaults so that the value gets past the first validation;
``test_every_form_survives_malformed_values_in_every_campaign_state`` sends each form again in the
world's other campaign states (open for entries, results published, draft);
``test_random_mixes_of_values`` lets Hypothesis put random and malformed values into a few fields
of each route in turn. Both run on SQLite and PostgreSQL (where NUL bytes and bigint
overflow are refused by the database itself) and print what they sent.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from incubation.models import IncubationProject
from judging.models import Award
from teams.models import Extension, Invitation
from tests.conftest import NOW, PASSWORD, Browser
from tests.factories import assign, make_campaign, make_department, make_entry, make_scorecard, make_team, make_user

HUGE = 2**63
NASTY: tuple[str, ...] = (
    "",
    "\x00",
    "a\x00b",
    "²",
    "١٢",
    str(HUGE),
    "99999999999999999999",
    str(-HUGE - 1),
    "-1",
    "0",
    "1e20",
    "nan",
    "inf",
    "-inf",
    "1.5",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "0001-01-01",
    "9999-12-31",
    "x" * 5000,
    "a@" + "b" * 300 + ".example.com",
    "%s%(x)s{0}<script>",
)
# each sent to every field of every route at once by the deterministic sweep
SWEEP: tuple[str, ...] = ("a\x00b", "²", str(HUGE), "999999999999999999")
# each put into one field at a time, the form's defaults around it, so that it gets past the rest
EDGES: tuple[str, ...] = ("0001-01-01T00:00", "9999-12-31", "1e20", "nan", "a@" + "b" * 300 + ".example.com")
BAD_IDS = (HUGE, 10**20, 0)
STATES = 4  # the campaigns of the seeded world, one per state (``seed``)
# what Litestar injects, never a query parameter
NOT_QUERY = {"request", "db_session", "clock", "settings", "state", "scope", "headers", "cookies"}
# names handlers read from forms or queries without declaring them: fuzzed everywhere
EXTRA_FIELDS = ("page", "phase", "phase_id", "team_id", "entry_id", "judge_id", "next", "q")
SKIP_ROUTES = {"/static/{file_path:path}"}
SIBLINGS = {
    "/teams/{team_id:int}/entry/save": "/teams/{team_id:int}/entry/submit",
    "/judging/{phase_id:int}/entries/{entry_id:int}/scores": "/judging/{phase_id:int}/entries/{entry_id:int}/finalise",
}
WEB = Path(__file__).parents[2] / "web"


def every_field_name() -> frozenset[str]:
    """The field names of the app's forms: the templates' inputs and the handlers' field tuples."""
    names = set(EXTRA_FIELDS)
    for template in (WEB / "templates").rglob("*.html"):
        names.update(re.findall(r'\bname="(\w+)"', template.read_text()))
    for controller in (WEB / "controllers").glob("*.py"):
        for fields in re.findall(r"^\w*FIELDS = \(([^)]*)\)", controller.read_text(), re.M):
            names.update(re.findall(r'"(\w+)"', fields))
        names.update(re.findall(r'form_value\(\w+, "(\w+)"\)', controller.read_text()))
    return frozenset(names - {"viewport", "file"})


ALL_FIELDS = every_field_name()


# --- the world the routes are requested in -----------------------------------------------------


@dataclass
class World:
    personas: dict[str, User]
    ids: dict[str, list[int]]
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)


async def seed(db: AsyncSession) -> World:
    dept = await make_department(db, "Operations")
    admin = await make_user(db, "admin@example.com", admin=True, executive=True)
    organizer = await make_user(db, "olga@example.com", department=dept)
    judge = await make_user(db, "jude@example.com")
    captain = await make_user(db, "cara@example.com", department=dept)
    member = await make_user(db, "mo@example.com")
    rival = await make_user(db, "rita@example.com")
    outsider = await make_user(db, "otto@example.com")
    victim = await make_user(db, "vic@example.com")  # the one whose account the admin forms change
    open_for_entries = await make_campaign(db, organizer=organizer, sponsor=admin, judges=[judge], stage="submission")
    judging = await make_campaign(
        db, organizer=organizer, sponsor=admin, judges=[judge], stage="judging", title="Autumn Challenge"
    )
    # the states a form may meet besides those two: results published, and not yet published
    published = await make_campaign(
        db, organizer=organizer, sponsor=admin, judges=[judge], stage="results", title="Winter Challenge"
    )
    draft = await make_campaign(db, organizer=organizer, sponsor=admin, stage="draft", title="Next Challenge")
    finished = await make_team(db, published, rival, name="Blue Team")
    finished_entry = await make_entry(db, finished, published.submission)
    await assign(db, published.judging, finished_entry, judge)
    await make_scorecard(db, published, finished_entry, judge, [5, 5, 10], final=True)
    team = await make_team(db, open_for_entries, captain, members=[member])
    await make_entry(db, team, open_for_entries.submission, submitted=False)
    judged = await make_team(db, judging, captain, members=[member], name="Red Team")
    entry = await make_entry(db, judged, judging.submission)
    other = await make_team(db, judging, rival, name="Green Team", challenge=judging.challenges[1])
    other_entry = await make_entry(db, other, judging.submission)
    await assign(db, judging.judging, entry, judge)
    await assign(db, judging.judging, other_entry, judge)
    await make_scorecard(db, judging, other_entry, judge, [4, 3, 7], final=False)
    invitation = Invitation(team_id=team.id, invitee_id=outsider.id, invited_by_id=captain.id)
    extension = Extension(
        team_id=judged.id, phase_id=judging.submission.id, until=NOW + timedelta(days=3), reason="Ill"
    )
    award = Award(campaign_id=judging.campaign.id, name="Best idea", team_id=judged.id)
    db.add_all([invitation, extension, award])
    project = IncubationProject(campaign_id=judging.campaign.id, team_id=judged.id, title="Pilot", sponsor_id=admin.id)
    db.add(project)
    await db.commit()
    ids = {
        "invitation_id": [invitation.id],
        "extension_id": [extension.id],
        "award_id": [award.id],
        # one state per choice (``concrete``): the n-th id of each list belongs to the n-th campaign (mod 4)
        "campaign_id": [judging.campaign.id, open_for_entries.campaign.id, published.campaign.id, draft.campaign.id],
        "phase_id": [
            judging.judging.id,
            open_for_entries.submission.id,
            published.judging.id,
            draft.submission.id,
            judging.submission.id,
            open_for_entries.judging.id,
            published.submission.id,
            draft.judging.id,
        ],
        "team_id": [judged.id, team.id, finished.id, other.id],
        "entry_id": [entry.id, other_entry.id, finished_entry.id],
        "challenge_id": [
            *(c.id for c in (judging.challenges[0], open_for_entries.challenges[0], published.challenges[0])),
            draft.challenges[0].id,
            judging.challenges[1].id,
        ],
        "criterion_id": [
            judging.criteria[0].id,
            open_for_entries.criteria[0].id,
            published.criteria[0].id,
            draft.criteria[0].id,
            judging.criteria[1].id,
        ],
        "user_id": [victim.id],
        "judge_id": [judge.id],
        "project_id": [project.id],
    }
    personas = {
        "admin": admin,
        "organizer": organizer,
        "judge": judge,
        "captain": captain,
        "outsider": outsider,
    }
    return World(personas=personas, ids=ids)


def persona_for(path: str) -> str | None:
    """Who requests a route: someone it is meant for, so that requests get past the guards."""
    if path in ("/sign-in", "/sign-out", "/language", "/health", "/favicon.ico"):
        return None
    if path.startswith(("/admin", "/incubation")) or path in ("/campaigns", "/campaigns/new") or "/awards/" in path:
        return "admin"
    if path.startswith("/judging"):
        return "judge"
    if path.startswith("/campaigns/{campaign_id:int}/teams"):
        return "outsider"
    if path.startswith("/campaigns"):
        return "organizer"
    return "captain"


async def sign_in_all(client: AsyncTestClient[Litestar], world: World) -> None:
    browser = Browser(client)
    for name, user in world.personas.items():
        client.cookies.clear()
        await browser.sign_in(user.email, PASSWORD)
        world.cookies[name] = dict(client.cookies.items())
    client.cookies.clear()
    await client.get("/sign-in")
    world.cookies["anonymous"] = dict(client.cookies.items())


# --- the routes and their fields ---------------------------------------------------------------


@dataclass
class Route:
    path: str
    method: str
    query: tuple[str, ...]
    fields: dict[str, str] = field(default_factory=dict)  # name -> default value of the crawled form


def app_routes(app: Litestar) -> list[Route]:
    found = []
    for route in app.routes:
        if route.path in SKIP_ROUTES:
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                params = handler.parsed_fn_signature.parameters
                path_params = set(re.findall(r"{(\w+):", route.path))
                injected = NOT_QUERY | set(handler.resolve_dependencies())
                query = tuple(name for name in params if name not in injected and name not in path_params)
                found.append(Route(route.path, method, query))
    return found


class FormParser(HTMLParser):
    """The forms of a page that post: their target and their fields' default values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            target = a.get("hx-post") or (a.get("action") if a.get("method", "").lower() == "post" else None)
            self._current = {} if target else None
            if target:
                self.forms.append((target, self._current))  # type: ignore[arg-type]
        elif self._current is not None and (name := a.get("name")):
            if tag == "input" and a.get("type") not in ("submit", "button", "file"):
                if a.get("type") in ("checkbox", "radio") and "checked" not in a and name in self._current:
                    return
                self._current[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
            elif tag in ("button",) and a.get("value"):
                self._current.setdefault(name, a["value"])
            elif tag == "textarea":
                self._textarea = name
                self._current[name] = ""
            elif tag == "select":
                self._select = name
                self._current.setdefault(name, "")
        elif (
            tag == "option"
            and self._current is not None
            and self._select
            and ("selected" in a or not self._current.get(self._select))
        ):
            self._current[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._current is not None and self._textarea:
            self._current[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def template_of(action: str, routes: list[Route]) -> Route | None:
    path = action.split("?", 1)[0].split("#", 1)[0]
    for route in routes:
        if route.method == "POST" and re.fullmatch(re.sub(r"{\w+:int}", r"-?\\d+", route.path), path):
            return route
    return None


def concrete(path: str, world: World, choice: int = 0) -> str:
    def real(match: re.Match[str]) -> str:
        candidates = world.ids.get(match.group(1), [1])
        return str(candidates[choice % len(candidates)])

    return re.sub(r"{(\w+):int}", real, path)


class Fuzzer:
    def __init__(self, client: AsyncTestClient[Litestar], world: World, routes: list[Route]) -> None:
        self.client = client
        self.world = world
        self.routes = routes
        self.sent = 0
        self.examples = 0
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []

    async def request(self, route: Route, url: str, data: dict[str, str] | None = None) -> int:
        who = persona_for(route.path) or "anonymous"
        self.client.cookies.clear()
        for name, value in self.world.cookies[who].items():
            self.client.cookies.set(name, value)
        headers = {"x-csrftoken": self.world.cookies[who].get("kaizen_csrf", "")}
        if route.method == "GET":
            response = await self.client.get(url, follow_redirects=False)
        else:
            response = await self.client.post(url, data=data or {}, headers=headers, follow_redirects=False)
        self.sent += 1
        self.statuses[response.status_code] += 1
        if os.environ.get("FUZZ_LOG"):  # FUZZ_LOG=1 pytest -s …: every request and its answer
            print(response.status_code, route.method, url[:100], {k: v[:30] for k, v in (data or {}).items() if v})
        if response.status_code >= 500:
            shown = {k: (v[:40] + "…" if len(v) > 40 else v) for k, v in (data or {}).items()}
            self.failures.append(f"{response.status_code} {route.method} {url[:120]} as {who} {shown}")
            print(self.failures[-1])
        return int(response.status_code)

    def borrow_fields(self) -> None:
        """Routes whose form is built by htmx or only shown in another state take a sibling's fields."""
        by_path = {route.path: route for route in self.routes if route.method == "POST"}
        for path, sibling in SIBLINGS.items():
            if path in by_path and sibling in by_path and not by_path[path].fields:
                by_path[path].fields = dict(by_path[sibling].fields)
        if (awards := by_path.get("/campaigns/{campaign_id:int}/awards")) is not None and not awards.fields:
            team = str(self.world.ids["team_id"][0])
            awards.fields = {"name": "Best idea", "team_id": team, "challenge_id": "", "citation": "Well done."}

    async def crawl_forms(self) -> None:
        """Fields and defaults of each POST route, from the forms on the GET pages."""
        for route in self.routes:
            if route.method != "GET":
                continue
            choices = max((len(self.world.ids.get(n, [1])) for n in re.findall(r"{(\w+):int}", route.path)), default=1)
            choices = min(choices, STATES)  # one page per campaign state
            for choice in range(choices):
                who = persona_for(route.path) or "anonymous"
                self.client.cookies.clear()
                for name, value in self.world.cookies[who].items():
                    self.client.cookies.set(name, value)
                response = await self.client.get(concrete(route.path, self.world, choice))
                if "html" not in response.headers.get("content-type", ""):
                    continue
                parser = FormParser()
                parser.feed(response.text)
                for action, fields in parser.forms:
                    if (target := template_of(action, self.routes)) is not None:
                        for name, value in fields.items():
                            if name != "_csrf_token":
                                target.fields.setdefault(name, value)

    def urls(self, route: Route) -> Iterable[str]:
        """The route with real ids, then with each id past the 64-bit range."""
        yield concrete(route.path, self.world)
        for name in re.findall(r"{(\w+):int}", route.path):
            for bad in BAD_IDS[:1]:
                yield concrete(route.path.replace(f"{{{name}:int}}", str(bad)), self.world)

    def names(self, route: Route, every: bool = False) -> list[str]:
        """The fields to send: those of the route's forms, else (or with ``every``) all the app's."""
        if route.method == "GET":
            return sorted({*route.query, *EXTRA_FIELDS})
        scores = [f"c{criterion}" for criterion in self.world.ids["criterion_id"]]
        if every or not route.fields:
            return sorted({*route.fields, *ALL_FIELDS, *scores})
        return sorted({*route.fields, *EXTRA_FIELDS})


# --- the tests ---------------------------------------------------------------------------------


@pytest.fixture
async def fuzzer(client: AsyncTestClient[Litestar], app: Litestar, db: AsyncSession) -> Fuzzer:
    world = await seed(db)
    await sign_in_all(client, world)
    fuzz = Fuzzer(client, world, app_routes(app))
    await fuzz.crawl_forms()
    fuzz.borrow_fields()
    return fuzz


async def test_every_route_and_field_survives_malformed_values(fuzzer: Fuzzer) -> None:
    started = time.monotonic()
    with_forms = [r.path for r in fuzzer.routes if r.method == "POST" and r.fields]
    for route in fuzzer.routes:
        for url in fuzzer.urls(route):
            await fuzzer.request(route, url, dict(route.fields))
        base = concrete(route.path, fuzzer.world)
        for value in SWEEP:
            values = {name: value for name in fuzzer.names(route, every=True)}
            if route.method == "GET":
                query = "&".join(f"{name}={_quoted(value)}" for name in values)
                await fuzzer.request(route, f"{base}?{query}")
            else:
                await fuzzer.request(route, base, values)
        await fuzzer.request(route, base + "%00")  # a NUL byte in the path
        if route.method == "POST":
            for name in route.fields:
                for value in EDGES:
                    await fuzzer.request(route, base, {**route.fields, name: value})
    print(
        f"routes: {len(fuzzer.routes)}, POST routes with crawled forms: {len(with_forms)}, "
        f"requests: {fuzzer.sent}, server errors: {len(fuzzer.failures)}, {time.monotonic() - started:.1f} s, "
        f"answers: {dict(sorted(fuzzer.statuses.items()))}"
    )
    print("\n".join(fuzzer.failures))
    assert fuzzer.failures == []


async def test_every_form_survives_malformed_values_in_every_campaign_state(fuzzer: Fuzzer) -> None:
    """Each form again in the other states (a campaign open for entries, one whose results are
    published, a draft), where handlers take other paths: its defaults, then malformed values."""
    started, sent = time.monotonic(), fuzzer.sent
    for route in fuzzer.routes:
        if route.method != "POST" or "{" not in route.path:
            continue
        for choice in range(1, STATES):
            url = concrete(route.path, fuzzer.world, choice)
            await fuzzer.request(route, url, dict(route.fields))
            for value in SWEEP[:2]:
                await fuzzer.request(route, url, {name: value for name in fuzzer.names(route)})
    print(f"requests: {fuzzer.sent - sent}, server errors: {len(fuzzer.failures)}, {time.monotonic() - started:.1f} s")
    print("\n".join(fuzzer.failures))
    assert fuzzer.failures == []


def _quoted(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


# what a mutated field gets (the others keep their form's default): a malformed value or noise
TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=30)
VALUE_KINDS: tuple[st.SearchStrategy[str], ...] = (
    st.just(""),
    st.sampled_from(NASTY),
    st.sampled_from(NASTY),
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(str),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    st.dates().map(str),
)
LEFT_OUT = "\x00left out"  # a marker, never sent
MUTATED = 3  # fields per request


def draw_value(data: st.DataObject) -> str:
    """One mutated field's value, or the marker that it is left out of the form."""
    kind = data.draw(st.integers(0, len(VALUE_KINDS)), label="kind")
    return LEFT_OUT if kind == len(VALUE_KINDS) else data.draw(VALUE_KINDS[kind])


# one route per example, in turn: each route gets EXAMPLES_PER_ROUTE examples of its own
EXAMPLES_PER_ROUTE = 3
ROUTES_AT_MOST = 130  # form and query routes: test_random_mixes_reach_every_route checks it


@settings(
    max_examples=EXAMPLES_PER_ROUTE * ROUTES_AT_MOST,
    deadline=None,
    database=None,
    phases=[Phase.generate],  # a failure lists the request that failed: no shrinking needed
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
async def test_random_mixes_of_values(fuzzer: Fuzzer, data: st.DataObject) -> None:
    # everything is drawn first, the same way for every route: Hypothesis requires it, and the
    # routes are taken in turn from outside its data
    choice, bad_id = data.draw(st.integers(0, 3), label="ids"), data.draw(st.integers(0, 4 * len(BAD_IDS) - 1))
    mutations = [(data.draw(st.integers(0, 10**6), label="field"), draw_value(data)) for _ in range(MUTATED)]
    routes = [route for route in fuzzer.routes if route.method == "POST" or route.query]
    if fuzzer.examples >= EXAMPLES_PER_ROUTE * len(routes):
        if fuzzer.examples == EXAMPLES_PER_ROUTE * len(routes):
            fuzzer.examples += 1
            print(f"requests: {fuzzer.sent}, answers: {dict(sorted(fuzzer.statuses.items()))}")
        return
    route = routes[fuzzer.examples % len(routes)]
    fuzzer.examples += 1
    names = fuzzer.names(route)
    values = {name: route.fields.get(name, "") for name in names}
    for index, value in mutations:
        values[names[index % len(names)]] = value
    values = {name: value for name, value in values.items() if value != LEFT_OUT}
    url = concrete(route.path, fuzzer.world, choice)
    if bad_id < len(BAD_IDS) and "{" in route.path:  # one example in four: an id past the 64-bit range
        url = re.sub(r"/\d+", f"/{BAD_IDS[bad_id]}", url, count=1)
    if route.method == "GET":
        await fuzzer.request(route, url + "?" + "&".join(f"{name}={_quoted(value)}" for name, value in values.items()))
    else:
        await fuzzer.request(route, url, values)
    assert fuzzer.failures == []


def test_random_mixes_reach_every_route(app: Litestar) -> None:
    """The property above has enough examples for every form and query route (a check on the test)."""
    routes = [route for route in app_routes(app) if route.method == "POST" or route.query]
    assert len(routes) <= ROUTES_AT_MOST
