"""Administration: the staff directory, accounts, the CSV import and departments (admins only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.administration import AccountInput, account, create_account, update_account
from accounts.models import Department, User
from accounts.services import import_directory
from core.numbers import parse_int
from core.pagination import paginate
from web.deps import ADMIN, AppClock, DbSession, signed_in
from web.forms import is_invalid, or_form_again, read_form
from web.i18n import gettext as _

PAGE_SIZE = 20
IMPORT_MAX_BYTES = 2 * 1024 * 1024
SEARCH_MAX = 100


def _like_pattern(text: str) -> str:
    """``%text%`` with the LIKE wildcards of ``text`` escaped (escape character ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _departments(db: AsyncSession) -> list[Department]:
    return list((await db.scalars(select(Department).order_by(Department.name, Department.id))).all())


# --- the staff directory --------------------------------------------------------------------


@get("/admin/users", opt=ADMIN, name="admin_users")
async def users(
    db_session: DbSession,
    page: FromQuery[int] = 1,
    q: FromQuery[str] = "",
    department: FromQuery[str] = "",
    imported: FromQuery[str] = "",
    updated: FromQuery[str] = "",
    saved: FromQuery[str] = "",
) -> Template:
    q = q.strip()[:SEARCH_MAX]
    department_id = parse_int(department)
    stmt = select(User).options(joinedload(User.department)).order_by(func.lower(User.name), User.id)
    if q:
        pattern = _like_pattern(q)
        stmt = stmt.where(or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\")))
    if department_id is not None:
        stmt = stmt.where(User.department_id == department_id)
    result = await paginate(db_session, stmt, number=page, size=PAGE_SIZE)
    params = {k: v for k, v in {"q": q, "department": department_id or ""}.items() if v}
    return Template(
        template_name="admin/users.html",
        context={
            "page": result,
            "q": q,
            "department_id": department_id,
            "departments": await _departments(db_session),
            "base_url": "/admin/users?" + (urlencode(params) + "&" if params else ""),
            "imported": parse_int(imported),
            "updated": parse_int(updated) or 0,
            "saved": saved == "1",
        },
    )


# --- create ------------------------------------------------------------------------------------


async def _new_form(db: AsyncSession, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Template:
    return Template(
        template_name="admin/user_new.html",
        context={"values": values, "errors": errors, "departments": await _departments(db)},
        status_code=status,
    )


@get("/admin/users/new", opt=ADMIN, name="admin_user_new")
async def user_new(db_session: DbSession) -> Template:
    values = {"email": "", "name": "", "department": "", "is_admin": False, "is_executive": False}
    return await _new_form(db_session, values, {})


@post("/admin/users/new", opt=ADMIN, name="admin_user_create")
async def user_create(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Response[Any]:
    form = await read_form(request)
    values: dict[str, Any] = {
        **form.values("email", "name", "department"),
        "is_admin": form.flag("is_admin"),
        "is_executive": form.flag("is_executive"),
    }
    data = AccountInput(values["name"], values["department"], values["is_admin"], values["is_executive"])
    password = form.verbatim("password") or None
    user = await or_form_again(
        request,
        create_account(db_session, signed_in(request), clock.now(), values["email"], data, password),
        lambda errors, status: _new_form(db_session, values, errors, status),
    )
    return Redirect(path=f"/admin/users?{urlencode({'q': user.email, 'saved': 1})}", status_code=303)


# --- edit --------------------------------------------------------------------------------------


async def _edit_form(
    db: AsyncSession, user: User, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    return Template(
        template_name="admin/user_edit.html",
        context={"account": user, "values": values, "errors": errors, "departments": await _departments(db)},
        status_code=status,
    )


@get("/admin/users/{user_id:int}/edit", opt=ADMIN, name="admin_user_edit")
async def user_edit(db_session: DbSession, user_id: FromPath[int]) -> Template:
    user = await account(db_session, user_id)
    values = {
        "name": user.name,
        "department": user.department.name if user.department else "",
        "is_admin": user.is_admin,
        "is_executive": user.is_executive,
        "is_active": user.is_active,
    }
    return await _edit_form(db_session, user, values, {})


@post("/admin/users/{user_id:int}/edit", opt=ADMIN, name="admin_user_update")
async def user_update(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, user_id: FromPath[int]
) -> Response[Any]:
    """Name, department, platform roles and whether the account may sign in
    (``accounts.administration.update_account``)."""
    user = await account(db_session, user_id)
    form = await read_form(request)
    data = AccountInput(
        name=form.text("name"),
        department=form.text("department"),
        is_admin=form.flag("is_admin"),
        is_executive=form.flag("is_executive"),
        is_active=form.flag("is_active"),
    )
    await or_form_again(
        request,
        update_account(db_session, signed_in(request), clock.now(), user, data),
        lambda errors, status: _edit_form(db_session, user, asdict(data), errors, status),
        when=is_invalid,
    )
    return Redirect(path=f"/admin/users?{urlencode({'q': user.email, 'saved': 1})}", status_code=303)


# --- directory import -------------------------------------------------------------------------


def _import_page(
    *, errors: list[tuple[int, str]] | None = None, message: str | None = None, status: int = 200
) -> Template:
    return Template(
        template_name="admin/import.html",
        context={"line_errors": errors or [], "message": message, "max_mb": IMPORT_MAX_BYTES // (1024 * 1024)},
        status_code=status,
    )


@get("/admin/users/import", opt=ADMIN, name="admin_import_form")
async def import_form() -> Template:
    return _import_page()


@post("/admin/users/import", opt=ADMIN, name="admin_import")
async def import_users(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Response[Any]:
    """A CSV with the columns email, name, department; all rows or none."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _import_page(message=_("Choose a CSV file to import."), status=422)
    data = await upload.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        return _import_page(
            message=_("The file is larger than %(mb)s MB.", mb=IMPORT_MAX_BYTES // (1024 * 1024)), status=413
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _import_page(message=_("The file must be a CSV saved as UTF-8 text."), status=422)
    report = await or_form_again(
        request,
        import_directory(db_session, text),
        lambda errors, status: _import_page(message=" ".join(errors.values()), status=status),
    )
    if report.errors:
        translated = [(line, _(message)) for line, message in report.errors]
        return _import_page(errors=translated, message=_("Nothing was imported: please fix these lines."), status=422)
    return Redirect(
        path="/admin/users?" + urlencode({"imported": report.created, "updated": report.updated}), status_code=303
    )


# --- departments --------------------------------------------------------------------------------


@get("/admin/departments", opt=ADMIN, name="admin_departments")
async def departments(db_session: DbSession) -> Template:
    rows = await db_session.execute(
        select(Department.id, Department.name, func.count(User.id))
        .outerjoin(User, User.department_id == Department.id)
        .group_by(Department.id, Department.name)
        .order_by(Department.name, Department.id)
    )
    return Template(
        template_name="admin/departments.html",
        context={"rows": [(id_, name, count) for id_, name, count in rows.all()]},
    )


routes = [users, user_new, user_create, user_edit, user_update, import_form, import_users, departments]
