"""Where an entry's files are kept, behind one small interface: a directory on the local disk (the
default) or a bucket of an S3-compatible object store, which several app instances share.

Both keep a file under its generated name (32 hex digits, ``teams.storage``); no other name is
ever used as a path or a key. An upload is first staged in ``staging_dir`` on the local disk
(measured and typed there, ``teams.storage.stage``), then ``put`` moves it in: a rename within
the upload directory, or an upload to the bucket (multipart for large files, read from the staged
file in chunks) after which the staged copy is removed. ``open`` finds a file for a download: its
size and either its path (local) or a stream of chunks (object store), so a large file is never
read into memory whole. ``delete`` forgets files, and deleting a missing file is no error.
An object store that cannot be reached is ``Unavailable`` (503), with a message for the person.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import obstore
from obstore.store import S3Store

from core.errors import N_, Unavailable

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig, S3Config

log = logging.getLogger("kaizen.teams")
UNAVAILABLE = N_("Files cannot be stored or fetched right now. Please try again in a moment.")
_STORED_NAME = re.compile(r"[0-9a-f]{32}")
# chunks of a download from the object store: large enough for few round trips through Python,
# small enough that many downloads at once stay small in memory
DOWNLOAD_CHUNK = 256 * 1024
UPLOAD_PART = 5 * 1024 * 1024  # S3's smallest multipart part
UPLOAD_CONCURRENCY = 4  # parts in flight per upload: at most 20 MiB of one file in memory
# a request that fails for a reason worth retrying is tried again a few times, briefly: a person
# waiting for an upload or a download is told the store is unavailable within seconds, not minutes
MAX_RETRIES = 3
RETRY_TIMEOUT = timedelta(seconds=10)
CONNECT_TIMEOUT = timedelta(seconds=5)


class FileMissing(LookupError):
    """The store holds no file under that name."""


def check_name(stored_name: str) -> str:
    """``stored_name`` if it is a generated name (32 lower-case hex digits), else ``ValueError``."""
    if not _STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return stored_name


@dataclass(frozen=True)
class Readable:
    """A kept file, ready to be sent: its size, and its path on disk or a stream of its bytes."""

    size: int
    path: Path | None = None
    chunks: AsyncIterator[bytes] | None = None


class FileStore(Protocol):
    """Where kept files live (see the module)."""

    @property
    def staging_dir(self) -> Path: ...

    async def put(self, stored_name: str, staged: Path) -> None:
        """Keeps the staged file under ``stored_name``; the staged file is gone afterwards."""

    async def open(self, stored_name: str) -> Readable:
        """The file, for reading; ``FileMissing`` when there is none."""

    async def exists(self, stored_name: str) -> bool: ...

    async def delete(self, stored_names: Sequence[str]) -> None:
        """Forgets the files (a missing one is no error)."""


@dataclass(frozen=True)
class LocalFileStore:
    """Files in one directory on the local disk, which is also where uploads are staged (so that
    keeping one is a rename)."""

    directory: Path

    @property
    def staging_dir(self) -> Path:
        return self.directory

    def path(self, stored_name: str) -> Path:
        return self.directory / check_name(stored_name)

    async def put(self, stored_name: str, staged: Path) -> None:
        os.replace(staged, self.path(stored_name))

    async def open(self, stored_name: str) -> Readable:
        path = self.path(stored_name)
        try:
            size = path.stat().st_size
        except FileNotFoundError as exc:
            raise FileMissing(stored_name) from exc
        if not path.is_file():
            raise FileMissing(stored_name)
        return Readable(size=size, path=path)

    async def exists(self, stored_name: str) -> bool:
        return self.path(stored_name).is_file()

    async def delete(self, stored_names: Sequence[str]) -> None:
        for name in stored_names:
            self.path(name).unlink(missing_ok=True)


@dataclass(frozen=True)
class S3Location:
    """A bucket of an S3-compatible object store and how to reach it. Without keys, the usual
    ``AWS_*`` environment variables and instance credentials are used."""

    bucket: str
    prefix: str = ""
    endpoint: str = ""  # empty: Amazon S3 itself
    region: str = "us-east-1"
    access_key_id: str = ""
    secret_access_key: str = field(default="", repr=False)


def _s3_store(location: S3Location) -> S3Store:
    config: S3Config = {"region": location.region}
    client: ClientConfig = {"connect_timeout": CONNECT_TIMEOUT}
    retry: RetryConfig = {"max_retries": MAX_RETRIES, "retry_timeout": RETRY_TIMEOUT}
    if location.endpoint:
        config["endpoint"] = location.endpoint
        client["allow_http"] = location.endpoint.startswith("http://")
    if location.access_key_id:
        config["access_key_id"] = location.access_key_id
        config["secret_access_key"] = location.secret_access_key
    return S3Store(
        location.bucket, prefix=location.prefix or None, config=config, client_options=client, retry_config=retry
    )


class ObjectFileStore:
    """Files as objects in a bucket (``location.prefix`` + the generated name); uploads are staged
    in ``staging_dir`` on the local disk, and removed from it once sent."""

    def __init__(self, location: S3Location, staging_dir: Path) -> None:
        self.location = location
        self._staging_dir = staging_dir
        self._store = _s3_store(location)

    def __repr__(self) -> str:
        return f"ObjectFileStore({self.location!r})"

    @property
    def staging_dir(self) -> Path:
        return self._staging_dir

    def _unavailable(self, action: str, exc: Exception) -> Unavailable:
        log.error("the file store %r could not %s: %s", self.location, action, exc)
        return Unavailable(UNAVAILABLE, field="file")

    async def put(self, stored_name: str, staged: Path) -> None:
        name = check_name(stored_name)
        try:
            await obstore.put_async(
                self._store, name, staged, chunk_size=UPLOAD_PART, max_concurrency=UPLOAD_CONCURRENCY
            )
        except Exception as exc:
            raise self._unavailable(f"keep {name}", exc) from exc
        finally:
            await asyncio.to_thread(staged.unlink, missing_ok=True)

    async def open(self, stored_name: str) -> Readable:
        name = check_name(stored_name)
        try:
            result = await obstore.get_async(self._store, name)
        except FileNotFoundError as exc:
            raise FileMissing(name) from exc
        except Exception as exc:
            raise self._unavailable(f"read {name}", exc) from exc
        return Readable(size=result.meta["size"], chunks=aiter(result.stream(min_chunk_size=DOWNLOAD_CHUNK)))

    async def exists(self, stored_name: str) -> bool:
        name = check_name(stored_name)
        try:
            await obstore.head_async(self._store, name)
        except FileNotFoundError:
            return False
        except Exception as exc:
            raise self._unavailable(f"find {name}", exc) from exc
        return True

    async def delete(self, stored_names: Sequence[str]) -> None:
        if stored_names:
            await obstore.delete_async(self._store, [check_name(name) for name in stored_names])
