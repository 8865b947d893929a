"""A file the browser downloads: a table as CSV or Excel (``core.spreadsheet``), or any bytes."""

from __future__ import annotations

import asyncio

from litestar import Response

from core import spreadsheet

FORMATS = frozenset({"csv", "xlsx"})


def attachment(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content=content,
        media_type=media_type.split(";")[0],  # Litestar adds the charset of text types itself
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


async def sheet(table: spreadsheet.Table, fmt: str, title: str, name: str) -> Response[bytes]:
    """``table`` as ``name.fmt``; written off the event loop (thousands of rows take seconds as Excel)."""
    content, media_type = await asyncio.to_thread(spreadsheet.render, table, fmt, title)
    return attachment(content, media_type, f"{name}.{fmt}")
