"""Small real files of every kind an entry accepts, and some it must refuse, made in memory; and
what a file store holds, read past the app (the disk, or the bucket through its own client)."""

from __future__ import annotations

import hashlib
import io
import struct
import tempfile
import uuid
import zipfile
import zlib
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from teams.file_store import FileStore, LocalFileStore, ObjectFileStore
from teams.models import Attachment, Entry
from tests.conftest import NOW
from tests.object_store import object_bytes, object_names

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
CSV = "name,city\nAnn,München\n李雷,上海\n".encode()
LATIN1_CSV = "name,city\nAnn,München\n".encode("latin-1")


def png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ooxml(folder: str, *, macros: bool = False) -> bytes:
    """A minimal Word (``word``), Excel (``xl``) or PowerPoint (``ppt``) file."""
    kind = "macroEnabled.main+xml" if macros else "main+xml"
    members = {
        "[Content_Types].xml": f'<?xml version="1.0"?><Types><Override ContentType="{kind}"/></Types>'.encode(),
        "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        f"{folder}/document.xml": b'<?xml version="1.0"?><document/>',
    }
    if macros:
        members[f"{folder}/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + b"\x00" * 60
    return _zip(members)


def plain_zip() -> bytes:
    return _zip({"notes.txt": b"hello", "data/figures.csv": b"a,b\n1,2\n"})


def on_disk(directory: Path) -> list[str]:
    """Every file under ``directory``, temporary ones included."""
    return sorted(p.name for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def stored(store: FileStore) -> list[str]:
    """Every file the store holds, and every upload still staged for it (a temporary file)."""
    staged = on_disk(store.staging_dir)
    if isinstance(store, ObjectFileStore):
        return sorted(staged + object_names(store.location))
    return staged


def stored_bytes(store: FileStore, name: str) -> bytes:
    if isinstance(store, ObjectFileStore):
        return object_bytes(store.location, name)
    assert isinstance(store, LocalFileStore)
    return store.path(name).read_bytes()


async def put(store: FileStore, name: str, data: bytes) -> None:
    """Keeps ``data`` under ``name``, as an upload is kept once staged."""
    store.staging_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=store.staging_dir, delete=False) as staged:
        staged.write(data)
    await store.put(name, Path(staged.name))


def text_of_size(size: int) -> bytes:
    line = b"Kaizen makes work better.\n"
    return (line * (size // len(line) + 1))[:size]


async def make_attachment(
    db: AsyncSession,
    store: FileStore,
    entry: Entry,
    name: str = "plan.pdf",
    data: bytes = PDF,
    content_type: str = "application/pdf",
    stored_name: str | None = None,
    submitted: bool | None = None,
) -> Attachment:
    """An attachment written straight to the store and to the table (for phases that no longer
    accept files); part of the submitted version when the entry has one, unless ``submitted`` says."""
    stored = stored_name or uuid.uuid4().hex
    await put(store, stored, data)
    attachment = Attachment(
        entry_id=entry.id,
        original_name=name,
        stored_name=stored,
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=None,
        submitted=entry.submitted_version is not None if submitted is None else submitted,
        created_at=NOW,
        updated_at=NOW,
    )
    db.add(attachment)
    await db.flush()
    return attachment
