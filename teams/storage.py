"""Entry files, in plain functions: staged on disk under a temporary name, kept under a generated
one in a ``teams.file_store`` (the local disk or an object store).

What a file is comes from its bytes only, never from its name or the browser's content type:
PDF, PNG, JPEG, GIF and WebP by their signatures; Word, Excel and PowerPoint (OOXML) and plain
ZIP archives by their ZIP directory; plain text (TXT, CSV, Markdown) as UTF-8 without control
characters. Everything else is refused.

Rules chosen here:
- a text file that starts like markup (``<``: HTML, XML, SVG) or a script (``#!``) is refused;
- Office files with macros (``vbaProject.bin``, ``macroEnabled``) are refused;
- the name a file is shown and downloaded under is the user's name made safe (no path, no
  control or bidirectional characters, at most 255 characters) and always ends with an
  extension of its detected type (``notes.bat`` holding text becomes ``notes.bat.txt``);
- a file is written to a temporary file in the store's staging directory, flushed to disk, and
  kept under a random name of 32 hex digits; it is removed again if the transaction that
  records it does not commit, and a removed attachment's file goes only once its removal has
  committed.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import logging
import os
import re
import tempfile
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.util.concurrency import await_only, in_greenlet

from core.errors import N_, Invalid
from teams.file_store import FileStore, LocalFileStore, check_name
from teams.models import ATTACHMENT_NAME_MAX

log = logging.getLogger("kaizen.teams")

CHUNK = 1024 * 1024
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
TEXT = "text/plain"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# the extensions a download may end with, per detected type; the first one is added when missing
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    GIF: (".gif",),
    WEBP: (".webp",),
    TEXT: (".txt", ".csv", ".md", ".markdown", ".text", ".tsv"),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
    ZIP: (".zip",),
}
LABELS: dict[str, str] = {
    PDF: N_("PDF document"),
    PNG: N_("PNG image"),
    JPEG: N_("JPEG image"),
    GIF: N_("GIF image"),
    WEBP: N_("WebP image"),
    TEXT: N_("Text"),
    DOCX: N_("Word document"),
    XLSX: N_("Excel workbook"),
    PPTX: N_("PowerPoint presentation"),
    ZIP: N_("ZIP archive"),
}

EMPTY = N_("The file is empty.")
TOO_LARGE = N_("The file is too large: a file can be at most %(max)s.")
NOT_ACCEPTED = N_(
    "Files of this kind are not accepted. Upload a PDF, an image (PNG, JPEG, GIF, WebP), plain text "
    "(TXT, CSV, Markdown), a Word, Excel or PowerPoint file, or a ZIP archive."
)
NOT_UTF8 = N_("Text files must be saved as UTF-8. Save the file as UTF-8 and upload it again.")
MACROS = N_("Office files with macros are not accepted. Save the file without macros and upload it again.")
DAMAGED = N_("The file looks like a ZIP archive or an Office file but is damaged.")

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; the end record of an empty archive
# control characters other than tab, line feed, form feed and carriage return: not text
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
_CONTROL_BYTES = re.compile(b"[\x00-\x08\x0b\x0e-\x1f]")
_CONTENT_TYPES_MAX = 1024 * 1024  # [Content_Types].xml is a few KB; a bigger one is not read
_RESERVED = re.compile(r'[<>:"/\\|?*]')


def human_size(size: int) -> str:
    """``20971520`` → ``"20 MB"`` (binary multiples, at most one decimal)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{value:.1f}".removesuffix(".0") if unit != "B" else str(size)
            return f"{text} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


# --- what the bytes are ---------------------------------------------------------------------------


def _zip_type(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise Invalid(MACROS, field="file")
            if "[Content_Types].xml" not in names:
                return ZIP
            manifest = archive.getinfo("[Content_Types].xml")
            if manifest.file_size <= _CONTENT_TYPES_MAX and b"macroenabled" in archive.read(manifest).lower():
                raise Invalid(MACROS, field="file")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise Invalid(DAMAGED, field="file") from exc
    tops = {name.split("/", 1)[0] for name in names if "/" in name}
    for folder, kind in (("word", DOCX), ("xl", XLSX), ("ppt", PPTX)):
        if folder in tops:
            return kind
    return ZIP


def _text_error(path: Path) -> str | None:
    """None when the whole file is UTF-8 text that is neither markup nor a script, else why not."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    start = ""
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                # control bytes mean a binary file; without them, text in another encoding
                return NOT_ACCEPTED if _CONTROL_BYTES.search(chunk) else NOT_UTF8
            if _CONTROL_CHARS.search(text):
                return NOT_ACCEPTED
            if len(start) < 64:
                start += text[:64]
            if not chunk:
                break
    if start.lstrip().startswith(("<", "#!")):
        return NOT_ACCEPTED
    return None


def detect_content_type(path: Path) -> str:
    """The type of the file's bytes, one of ``EXTENSIONS``; raises ``Invalid`` for anything else."""
    with path.open("rb") as stream:
        head = stream.read(16)
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] in _ZIP_MAGIC:
        return _zip_type(path)
    error = _text_error(path)
    if error is not None:
        raise Invalid(error, field="file")
    return TEXT


# --- the name it is shown under -----------------------------------------------------------------


def _safe_char(ch: str) -> str:
    if ch.isspace():
        return " "
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return ""
    return "_" if _RESERVED.match(ch) else ch


def safe_name(name: str, content_type: str) -> str:
    """The user's file name made safe to show and to download (see the module's rules)."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    cleaned = " ".join("".join(_safe_char(ch) for ch in base).split()).strip(" .")
    extensions = EXTENSIONS.get(content_type, ())
    found = next((ext for ext in extensions if cleaned.lower().endswith(ext)), None)
    if found is not None:
        stem, suffix = cleaned[: -len(found)], cleaned[-len(found) :]
    else:
        stem, suffix = cleaned, extensions[0] if extensions else ""
    stem = stem[: ATTACHMENT_NAME_MAX - len(suffix)].rstrip(" .") or "attachment"
    return stem + suffix


def ascii_name(name: str) -> str:
    """A plain-ASCII stand-in for ``name`` (``filename=`` of Content-Disposition, for old clients)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9._ ()\[\]-]", "_", folded)
    stem, dot, ext = cleaned.rpartition(".")
    if not dot:
        stem, ext = cleaned, ""
    stem = stem.strip(" ._") or "attachment"
    return f"{stem}.{ext}" if ext else stem


# --- the file kept ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StagedFile:
    """An upload written under a temporary name, measured and typed, not yet kept."""

    path: Path
    size: int
    sha256: str
    content_type: str


def stage(source: IO[bytes], directory: Path, max_bytes: int) -> StagedFile:
    """Copies ``source`` into a temporary file in ``directory``, at most ``max_bytes`` of it, and
    finds its type. Raises ``Invalid`` (field ``file``) for an empty, too large or refused file,
    leaving nothing behind. Blocking: run it in a thread."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".upload-", dir=directory)
    path = Path(name)
    try:
        if source.seekable():
            source.seek(0)
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(handle, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise Invalid(TOO_LARGE, field="file", max=human_size(max_bytes))
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise Invalid(EMPTY, field="file")
        return StagedFile(path=path, size=size, sha256=digest.hexdigest(), content_type=detect_content_type(path))
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def discard(staged: StagedFile) -> None:
    staged.path.unlink(missing_ok=True)


def stored_path(directory: Path, stored_name: str) -> Path:
    """Where a kept file lives on the local disk; only a generated name is ever joined to the directory."""
    return LocalFileStore(directory).path(stored_name)


async def keep(session: AsyncSession, staged: StagedFile, store: FileStore) -> str:
    """Moves the staged file into ``store`` under a new random name, and removes it again unless
    ``session``'s transaction commits. Returns the name."""
    stored_name = uuid.uuid4().hex
    _hooks(session).created.append((store, stored_name))
    await store.put(stored_name, staged.path)
    return stored_name


def remove_after_commit(session: AsyncSession, store: FileStore, stored_name: str) -> None:
    """Deletes the kept file once ``session``'s transaction has committed (never if it rolls back)."""
    _hooks(session).doomed.append((store, check_name(stored_name)))


def _delete(files: list[tuple[FileStore, str]]) -> None:
    """Deletes ``files`` from their stores, from a session's event: awaited in the greenlet of the
    async session's call that ended the transaction (as its database driver is). A failure is
    logged, not raised: the transaction's outcome stands, and the file is left over."""
    stores: dict[int, tuple[FileStore, list[str]]] = {}
    for store, name in files:
        stores.setdefault(id(store), (store, []))[1].append(name)
    for store, names in stores.values():
        try:
            if in_greenlet():
                await_only(store.delete(names))
            else:  # a session ended outside an async call (at garbage collection, say)
                asyncio.run(store.delete(names))
        except Exception:
            log.exception("could not delete the files %s from %r", ", ".join(names), store)


@dataclass(eq=False)  # hashable: its methods are event listeners
class _FileHooks:
    """Files that follow the outcome of a session's transaction."""

    created: list[tuple[FileStore, str]] = field(default_factory=list)
    doomed: list[tuple[FileStore, str]] = field(default_factory=list)
    committed: bool = False

    def after_commit(self, session: Session) -> None:
        if session.get_nested_transaction() is None:  # the outermost transaction, not a savepoint
            self.committed = True

    def after_transaction_end(self, _session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is not None or transaction.nested:
            return
        files = list(self.doomed if self.committed else self.created)
        self.created.clear()
        self.doomed.clear()
        self.committed = False
        if files:
            _delete(files)


_HOOKS_KEY = "kaizen.entry_files"


def _hooks(session: AsyncSession) -> _FileHooks:
    sync: Session = session.sync_session
    hooks: Any = sync.info.get(_HOOKS_KEY)
    if hooks is None:
        hooks = _FileHooks()
        sync.info[_HOOKS_KEY] = hooks
        event.listen(sync, "after_commit", hooks.after_commit)
        event.listen(sync, "after_transaction_end", hooks.after_transaction_end)
    assert isinstance(hooks, _FileHooks)
    return hooks
