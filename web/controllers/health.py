from __future__ import annotations

from litestar import MediaType, Response, get
from sqlalchemy import text

from web.deps import PUBLIC, DbSession


@get("/health", opt=PUBLIC, media_type=MediaType.JSON, name="health")
async def health(db_session: DbSession) -> Response[dict[str, str]]:
    try:
        await db_session.execute(text("SELECT 1"))
    except Exception:
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


routes = [health]
