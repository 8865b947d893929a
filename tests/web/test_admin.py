"""Administration through HTTP: directory, accounts, CSV import, departments; admins only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Department, User
from core.audit import AuditEntry
from tests.conftest import PASSWORD, Browser
from tests.factories import make_department, make_user


async def _admin(db: AsyncSession, browser: Browser) -> User:
    admin = await make_user(db, "root@example.com", name="Root Admin", admin=True)
    await db.commit()
    await browser.sign_in("root@example.com")
    return admin


async def _count(db: AsyncSession) -> int:
    count = await db.scalar(select(func.count(User.id))) or 0
    await db.commit()  # SQLite: end the read transaction so the app can write
    return count


ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/import", "/admin/departments"]


async def test_admin_pages_are_forbidden_to_everyone_else(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "ann@example.com")
    await make_user(db, "boss@example.com", executive=True)
    target = await make_user(db, "target@example.com")
    await db.commit()
    assert (await browser.get("/admin/users", follow_redirects=False)).status_code == 303  # anonymous: sign in
    for email in ("ann@example.com", "boss@example.com"):
        await browser.sign_in(email)
        for url in [*ADMIN_PAGES, f"/admin/users/{target.id}/edit"]:
            assert (await browser.get(url)).status_code == 403, url
        posts: list[tuple[str, dict[str, Any]]] = [
            ("/admin/users/new", {"email": "x@example.com", "name": "X"}),
            (f"/admin/users/{target.id}/edit", {"name": "Hacked", "is_admin": "1", "is_active": "1"}),
        ]
        for url, data in posts:
            assert (await browser.post(url, data)).status_code == 403, url
        response = await browser.post(
            "/admin/users/import", files={"file": ("d.csv", b"email,name\nz@example.com,Z\n", "text/csv")}
        )
        assert response.status_code == 403
        await browser.sign_out()
    await db.refresh(target)
    assert target.name == "Target" and not target.is_admin
    assert await db.scalar(select(User.id).where(User.email.in_(["x@example.com", "z@example.com"]))) is None


async def test_directory_search_filter_and_pages(db: AsyncSession, browser: Browser) -> None:
    finance = await make_department(db, "Finance")
    sales = await make_department(db, "Sales")
    await make_user(db, "wang.fang@example.com", name="王芳", department=finance)
    await make_user(db, "li.wei@example.com", name="李伟", department=sales)
    for i in range(23):
        await make_user(db, f"person{i:02d}@example.com", name=f"Person {i:02d}", department=sales)
    await _admin(db, browser)

    first = (await browser.get("/admin/users")).text
    assert "26 accounts" in first and "Page 1 of 2" in first
    second = (await browser.get("/admin/users?page=2")).text
    assert "Person 22" in second or "王芳" in second
    found = (await browser.get("/admin/users", params={"q": "WANG.f"})).text
    assert "王芳" in found and "李伟" not in found and "1 account" in found
    found = (await browser.get("/admin/users", params={"q": "李"})).text
    assert "李伟" in found and "王芳" not in found
    filtered = (await browser.get("/admin/users", params={"department": str(finance.id)})).text
    assert "王芳" in filtered and "Person 01" not in filtered
    # a LIKE wildcard typed by the admin is searched for literally
    assert "No account matches." in (await browser.get("/admin/users", params={"q": "%"})).text
    paged = (await browser.get("/admin/users", params={"department": str(sales.id)})).text
    assert f"department={sales.id}&amp;page=2" in paged


async def test_create_account(db: AsyncSession, browser: Browser) -> None:
    await _admin(db, browser)
    form = (await browser.get("/admin/users/new")).text
    assert 'name="email"' in form and 'name="is_executive"' in form
    response = await browser.post(
        "/admin/users/new",
        {
            "email": " Zhang.Min@Example.com ",
            "name": "张敏",
            "department": "Finance",
            "password": "long-enough-password",
            "is_executive": "1",
        },
    )
    assert response.status_code == 303
    user = await db.scalar(select(User).where(User.email == "zhang.min@example.com"))
    assert user is not None and user.is_executive and not user.is_admin and user.name == "张敏"
    assert await db.scalar(select(Department.name).where(Department.id == user.department_id)) == "Finance"
    await db.commit()
    listing = (await browser.get(response.headers["location"])).text
    assert "张敏" in listing and "The account was saved." in listing
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert audit is not None and audit.subject_id == user.id and audit.after is not None
    await db.commit()
    # the new person can sign in with that password
    await browser.sign_out()
    await browser.sign_in("zhang.min@example.com", "long-enough-password")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email", "name": "Ann"}, "email", "Enter a valid e-mail address"),
        ({"email": "", "name": "Ann"}, "email", "Enter an e-mail address."),
        ({"email": "ann@example.com", "name": ""}, "name", "Enter a name."),
        ({"email": "ann@example.com", "name": "A" * 121}, "name", "The name is too long."),
        ({"email": "ann@example.com", "name": "Ann", "password": "short"}, "password", "at least 10 characters"),
        ({"email": "ann@example.com", "name": "Ann", "department": "D" * 121}, "department", "too long"),
    ],
)
async def test_create_account_refuses_bad_input_next_to_the_field(
    db: AsyncSession, browser: Browser, data: dict[str, str], field: str, message: str
) -> None:
    await _admin(db, browser)
    before = await _count(db)
    response = await browser.post("/admin/users/new", data)
    assert response.status_code == 422
    error = response.text.split(f'id="e-{field}"', 1)[1].split("</p>", 1)[0]
    assert message in error
    # what was typed is still there
    if data.get("name"):
        assert f'value="{data["name"]}"' in response.text
    assert await _count(db) == before


async def test_create_account_duplicate_email_is_a_conflict(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "ann@example.com")
    await _admin(db, browser)
    before = await _count(db)
    response = await browser.post("/admin/users/new", {"email": "ANN@example.com", "name": "Ann Two"})
    assert response.status_code == 409
    error = response.text.split('id="e-email"', 1)[1].split("</p>", 1)[0]
    assert "already exists" in error
    assert 'value="Ann Two"' in response.text
    assert await _count(db) == before


async def test_edit_account_and_deactivation_ends_sessions(db: AsyncSession, browser: Browser) -> None:
    ann = await make_user(db, "ann@example.com", name="Ann")
    await db.commit()
    # Ann signs in; we keep her session cookie to come back with it later
    await browser.sign_in("ann@example.com")
    ann_token = browser.client.cookies.get("kaizen_session")
    assert ann_token
    browser.client.cookies.delete("kaizen_session")
    admin = await _admin(db, browser)
    admin_token = browser.client.cookies.get("kaizen_session")

    form = (await browser.get(f"/admin/users/{ann.id}/edit")).text
    assert 'value="Ann"' in form and "ann@example.com" in form
    response = await browser.post(
        f"/admin/users/{ann.id}/edit", {"name": "Ann Lee", "department": "Logistics", "is_executive": "1"}
    )
    assert response.status_code == 303
    await db.refresh(ann)
    assert ann.name == "Ann Lee" and ann.is_executive and not ann.is_active and not ann.is_admin
    await db.commit()
    # her open session is gone and she cannot sign in again
    browser.client.cookies.set("kaizen_session", ann_token)
    assert (await browser.get("/", follow_redirects=False)).status_code == 303
    browser.client.cookies.delete("kaizen_session")
    failed = await browser.post("/sign-in", {"email": "ann@example.com", "password": PASSWORD})
    assert failed.status_code == 401
    browser.client.cookies.set("kaizen_session", admin_token or "")
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert audit is not None and audit.actor_id == admin.id
    assert audit.before is not None and audit.before["is_active"] is True
    assert audit.after is not None and audit.after["is_active"] is False and audit.after["department"] == "Logistics"
    await db.commit()

    bad = await browser.post(f"/admin/users/{ann.id}/edit", {"name": "", "is_active": "1"})
    assert bad.status_code == 422 and "Enter a name." in bad.text.split('id="e-name"', 1)[1]
    assert (await browser.get("/admin/users/999999/edit")).status_code == 404


async def test_admin_cannot_lock_themself_out(db: AsyncSession, browser: Browser) -> None:
    admin = await _admin(db, browser)
    response = await browser.post(f"/admin/users/{admin.id}/edit", {"name": "Root", "is_active": "1"})
    assert response.status_code == 422
    assert "You cannot remove your own administrator rights." in response.text
    response = await browser.post(f"/admin/users/{admin.id}/edit", {"name": "Root", "is_admin": "1"})
    assert response.status_code == 422 and "You cannot deactivate your own account." in response.text
    await db.refresh(admin)
    assert admin.is_admin and admin.is_active


async def test_csv_import_creates_and_updates(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "ann@example.com", name="Ann Old")
    await _admin(db, browser)
    assert "CSV file" in (await browser.get("/admin/users/import")).text
    csv = (
        "\ufeffemail,name,department\n"
        "ann@example.com,Ann New,Sales\n"
        "王芳@example.com,王芳,财务\n"
        "Bob@Example.com,Bob,Sales\n"
    )
    response = await browser.post("/admin/users/import", files={"file": ("staff.csv", csv.encode(), "text/csv")})
    assert response.status_code == 303, response.text
    text = (await browser.get(response.headers["location"])).text
    assert "Imported 2 new accounts and updated 1 existing ones." in text
    emails = set((await db.scalars(select(User.email))).all())
    assert {"ann@example.com", "王芳@example.com", "bob@example.com"} <= emails
    ann = await db.scalar(select(User).where(User.email == "ann@example.com"))
    assert ann is not None
    await db.refresh(ann)
    assert ann.name == "Ann New"


async def test_csv_import_with_an_invalid_row_imports_nothing(db: AsyncSession, browser: Browser) -> None:
    await _admin(db, browser)
    before = await _count(db)
    csv = b"email,name,department\nann@example.com,Ann,Sales\nnot-an-email,Bob,Sales\nann@example.com,Ann,Sales\n"
    response = await browser.post("/admin/users/import", files={"file": ("staff.csv", csv, "text/csv")})
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert "Line 3: Enter a valid e-mail address" in response.text
    assert "Line 4: This e-mail address appears twice in the file." in response.text
    assert await _count(db) == before
    assert await db.scalar(select(func.count(Department.id))) == 0


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"mail,fullname\nann@example.com,Ann\n", 422, "needs the columns email, name"),
        (b"email,name\n\xff\xfe\x00bad", 422, "UTF-8"),
        (b"email,name,department\n" + b"x" * (2 * 1024 * 1024), 413, "larger than 2 MB"),
    ],
)
async def test_csv_import_refuses_bad_files(
    db: AsyncSession, browser: Browser, content: bytes, status: int, message: str
) -> None:
    await _admin(db, browser)
    before = await _count(db)
    response = await browser.post("/admin/users/import", files={"file": ("staff.csv", content, "text/csv")})
    assert response.status_code == status
    assert message in response.text
    assert await _count(db) == before


async def test_csv_import_without_a_file(db: AsyncSession, browser: Browser) -> None:
    await _admin(db, browser)
    response = await browser.post("/admin/users/import", {"nothing": "here"})
    assert response.status_code == 422 and "Choose a CSV file" in response.text


async def test_departments_with_member_counts(db: AsyncSession, browser: Browser) -> None:
    finance = await make_department(db, "Finance")
    await make_department(db, "Empty Dept")
    for i in range(3):
        await make_user(db, f"f{i}@example.com", department=finance)
    await _admin(db, browser)
    page = await browser.get("/admin/departments")
    assert page.status_code == 200
    rows = page.text.split("<tbody>", 1)[1]
    assert "Empty Dept" in rows and "Finance" in rows
    finance_row = rows.split("Finance", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">3</td>' in finance_row
    empty_row = rows.split("Empty Dept", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">0</td>' in empty_row
    assert f"/admin/users?department={finance.id}" in rows
