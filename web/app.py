"""The application factory: nothing heavy happens at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.static_files import create_static_files_router

import automation
from core.clock import Clock, SystemClock
from core.engine import make_engine
from web.auth import CurrentUserMiddleware, access_guard, session_cookie_name
from web.controllers import route_handlers
from web.database import RequestSessions, commit_before_rendering, commit_unless_refused
from web.errors import EXCEPTION_HANDLERS, ClientGoneMiddleware
from web.flash import FlashMiddleware
from web.input_guard import MalformedInputMiddleware, refuse_malformed_form
from web.logs import configure_logging
from web.production import DemoAccountsInProduction, refuse_demo_accounts
from web.scheduler import make_scheduler
from web.security import SameOriginMiddleware, SessionCsrfMiddleware, csrf_cookie_name, security_headers
from web.settings import Settings
from web.templating import template_config

STATIC_DIR = Path(__file__).parent / "static"
# pages link static files with their content's hash (web.templating.static_url): a changed file
# has a new address, so browsers may keep each one for a year without asking again
STATIC_CACHE = CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url, pool=settings.pool_limits)
    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        before_send_handler=commit_unless_refused(),
        session_config=AsyncSessionConfig(expire_on_commit=False),
        create_all=False,
        set_default_exception_handler=False,
    )
    session_maker = db_config.create_session_maker()
    request_sessions = RequestSessions(db_config, engine)  # the lookup and the handler share one
    automation.setup()
    scheduler = make_scheduler(session_maker, clock, settings) if settings.scheduler_enabled else None

    async def refuse_demo_accounts_in_production() -> None:
        if settings.production:
            try:
                await refuse_demo_accounts(session_maker)
            except DemoAccountsInProduction:
                await engine.dispose()  # no shutdown hook runs after a failed start-up
                raise

    async def start_scheduler() -> None:
        if scheduler is not None:
            await scheduler.start()

    async def dispose_engine() -> None:
        if scheduler is not None:
            await scheduler.shutdown()
        await engine.dispose()

    def provide_clock(state: State) -> Clock:
        return state.clock  # type: ignore[no-any-return]

    def provide_settings(state: State) -> Settings:
        return state.settings  # type: ignore[no-any-return]

    static = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        name="static",
        opt={"access": "public"},
        send_as_attachment=False,
        cache_control=None if settings.reload_templates else STATIC_CACHE,
    )
    return Litestar(
        route_handlers=[*route_handlers(), static],
        plugins=[SQLAlchemyPlugin(config=db_config), HTMXPlugin()],
        request_class=HTMXRequest,
        middleware=[
            ClientGoneMiddleware(),
            SameOriginMiddleware(),
            FlashMiddleware(),
            CurrentUserMiddleware(),
            SessionCsrfMiddleware(session_cookie_name(settings)),
            MalformedInputMiddleware(),  # after the user's language is known: the 400 is in it
        ],
        # app-level: on every response, also those answered before any route's middleware (404, 405)
        before_send=[security_headers(hsts=settings.production)],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=csrf_cookie_name(settings),
            cookie_secure=settings.production,
            cookie_httponly=True,  # the pages carry the token; no script reads the cookie
            cookie_samesite="lax",
            header_name="x-csrftoken",
            safe_methods={"GET", "HEAD", "OPTIONS"},
        ),
        template_config=template_config(auto_reload=settings.reload_templates),
        guards=[access_guard],
        before_request=refuse_malformed_form,
        after_request=commit_before_rendering,
        exception_handlers=EXCEPTION_HANDLERS,
        dependencies={
            "clock": Provide(provide_clock, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        state=State(
            {
                "settings": settings,
                "clock": clock,
                "session_maker": session_maker,
                "request_sessions": request_sessions,
                "engine": engine,
                "scheduler": scheduler,
            }
        ),
        on_startup=[refuse_demo_accounts_in_production, start_scheduler],
        on_shutdown=[dispose_engine],
        debug=settings.debug,
        logging_config=None,
        openapi_config=None,
    )


def app_from_env(*_: Any) -> Litestar:
    """Entry point for the ASGI server (``uvicorn --factory web.app:app_from_env``)."""
    configure_logging()
    return create_app()
