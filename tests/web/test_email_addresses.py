"""E-mail addresses are checked by email-validator (no DNS look-up) and refused when they mix
alphabets, with a message next to the field, wherever one is entered: a new account, the
directory import, the sign-in form (only normalised there)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.emails import email_error, normalise_email
from accounts.models import User
from tests.conftest import Browser
from tests.factories import make_user

MIXED = "mixes letters of different alphabets"
INVALID = "Enter a valid e-mail address, such as name@example.com."
CYRILLIC_A = "\u0430"  # looks like the Latin "a"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("ann@example.com", None),
        ("王芳@example.com", None),
        ("иван@example.com", None),  # one alphabet in each part
        ("田中さん@example.jp", None),  # Han with kana: written together
        ("josé@example.com", None),
        ("ann@пример.рф", None),
        (f"p{CYRILLIC_A}ypal@example.com", MIXED),
        (f"ann@ex{CYRILLIC_A}mple.com", MIXED),
        ("ann@examp\u03bfe.com", MIXED),  # a Greek omicron
        ("", "Enter an e-mail address."),
        ("ann@corp.local", None),  # a company's own domain, as Windows domains long were named
        ("ann@localhost", INVALID),
        ("ann@example.test", INVALID),  # the other special-use names stay refused
        ("ann@site.invalid", INVALID),
        ("ann@example", INVALID),
        ("ann@@example.com", INVALID),
        ("ann.@example.com", INVALID),
        ("a b@example.com", INVALID),
        ("ann\x00@example.com", INVALID),
        ("\ud800@example.com", INVALID),
        ("a" * 250 + "@example.com", "This e-mail address is too long."),
    ],
)
def test_email_rules(address: str, message: str | None) -> None:
    error = email_error(normalise_email(address))
    assert (error is None) if message is None else (error is not None and message in error)


def test_addresses_are_stored_composed_and_in_lower_case() -> None:
    assert normalise_email("  Jose\u0301@Example.COM ") == "jos\u00e9@example.com"


async def _admin(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "root@example.com", name="Root Admin", admin=True)
    await db.commit()
    await browser.sign_in("root@example.com")


async def _count(db: AsyncSession) -> int:
    count = await db.scalar(select(func.count(User.id))) or 0
    await db.commit()
    return count


@pytest.mark.parametrize(
    ("address", "message"),
    [(f"p{CYRILLIC_A}ypal@example.com", MIXED), ("ann@localhost", INVALID), ("ann@example..com", INVALID)],
)
async def test_a_new_account_with_a_bad_address_is_refused_next_to_the_field(
    db: AsyncSession, browser: Browser, address: str, message: str
) -> None:
    await _admin(db, browser)
    before = await _count(db)
    response = await browser.post(
        "/admin/users/new", {"email": address, "name": "Pat", "password": "long-enough-password"}
    )
    assert response.status_code == 422
    error = response.text.split('id="e-email"', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert 'value="Pat"' in response.text  # nothing typed is lost
    assert await _count(db) == before
    for email, name in (("王芳@example.com", "王芳"), ("pat@corp.local", "Pat")):
        ok = await browser.post("/admin/users/new", {"email": email, "name": name})
        assert ok.status_code == 303, email
    assert await _count(db) == before + 2


async def test_the_directory_import_refuses_look_alike_addresses(db: AsyncSession, browser: Browser) -> None:
    await _admin(db, browser)
    before = await _count(db)
    csv = f"email,name,department\nann@example.com,Ann,Sales\nb{CYRILLIC_A}rt@example.com,Bart,Sales\n"
    response = await browser.post("/admin/users/import", files={"file": ("staff.csv", csv.encode(), "text/csv")})
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert "Line 3: This e-mail address mixes letters of different alphabets" in response.text
    assert await _count(db) == before


async def test_sign_in_with_a_look_alike_address_is_the_generic_refusal(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "paypal@example.com")
    await db.commit()
    refused = await browser.post("/sign-in", {"email": f"p{CYRILLIC_A}ypal@example.com", "password": "x" * 12})
    assert refused.status_code == 401
    assert "The e-mail address or password is not correct." in refused.text
    await browser.sign_in("  PayPal@Example.com ")  # normalised
