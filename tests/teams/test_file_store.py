"""The file stores on their own: the local directory and the S3-compatible bucket keep, read,
find and forget a file the same way; a large file goes up in parts and comes back in chunks;
only generated names are used; a deletion that fails after a commit is logged, not raised."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from teams import storage
from teams.file_store import (
    DOWNLOAD_CHUNK,
    UPLOAD_PART,
    FileMissing,
    FileStore,
    LocalFileStore,
    ObjectFileStore,
    S3Location,
)
from tests.object_store import object_names
from tests.teams import files

NAME = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def store(tmp_path: Path, storage_backend: S3Location | None) -> FileStore:
    staging = tmp_path / "uploads"
    if storage_backend is None:
        return LocalFileStore(staging)
    return ObjectFileStore(storage_backend, staging_dir=staging)


async def read_all(store: FileStore, name: str) -> tuple[int, list[bytes]]:
    found = await store.open(name)
    if found.path is not None:
        return found.size, [found.path.read_bytes()]
    assert found.chunks is not None
    return found.size, [chunk async for chunk in found.chunks]


async def test_a_file_is_kept_read_found_and_forgotten(store: FileStore) -> None:
    assert not await store.exists(NAME)
    with pytest.raises(FileMissing):
        await store.open(NAME)
    await files.put(store, NAME, files.PDF)
    assert await store.exists(NAME)
    size, chunks = await read_all(store, NAME)
    assert (size, b"".join(chunks)) == (len(files.PDF), files.PDF)
    assert files.stored(store) == [NAME]  # the staged copy is gone
    await store.delete([NAME])
    assert not await store.exists(NAME) and files.stored(store) == []
    await store.delete([NAME])  # forgetting a missing file is no error


async def test_only_generated_names_are_used(store: FileStore, tmp_path: Path) -> None:
    staged = tmp_path / "staged"
    staged.write_bytes(b"x")
    for bad in ("../secret", "a" * 31, "A" * 32, NAME + "/x", "/" + NAME):
        with pytest.raises(ValueError):
            await store.put(bad, staged)
        with pytest.raises(ValueError):
            await store.open(bad)
        with pytest.raises(ValueError):
            await store.delete([bad])


async def test_a_large_file_goes_to_the_bucket_in_parts_and_comes_back_in_chunks(
    s3_location: S3Location, tmp_path: Path
) -> None:
    store = ObjectFileStore(s3_location, staging_dir=tmp_path)
    data = os.urandom(UPLOAD_PART + 3 * DOWNLOAD_CHUNK + 17)  # more than one part of a multipart upload
    await files.put(store, NAME, data)
    assert object_names(s3_location) == [NAME] and files.on_disk(tmp_path) == []
    size, chunks = await read_all(store, NAME)
    print(f"{size} bytes came back in {len(chunks)} chunks of at most {max(map(len, chunks))} bytes")
    assert size == len(data) and b"".join(chunks) == data
    assert len(chunks) > 1 and max(map(len, chunks)) < len(data)  # streamed, never whole


async def test_a_deletion_that_fails_after_the_commit_is_logged_and_the_commit_stands(
    db: AsyncSession, s3_location: S3Location, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = ObjectFileStore(
        S3Location(
            bucket="no-such-bucket-here", endpoint=s3_location.endpoint, access_key_id="k", secret_access_key="s"
        ),
        staging_dir=tmp_path,
    )
    await db.execute(select(1))
    storage.remove_after_commit(db, unreachable, NAME)
    with caplog.at_level(logging.ERROR, logger="kaizen.teams"):
        await db.commit()
    assert f"could not delete the files {NAME}" in caplog.text
