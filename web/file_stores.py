"""The file store the settings name (``teams.file_store``): one per configuration and process, so
that the object store's connections are pooled across requests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from teams.file_store import FileStore, LocalFileStore, ObjectFileStore, S3Location
from web.settings import Settings


@lru_cache(maxsize=16)
def _store(upload_dir: Path, s3: S3Location | None) -> FileStore:
    if s3 is None:
        return LocalFileStore(upload_dir)
    return ObjectFileStore(s3, staging_dir=upload_dir)


def file_store(settings: Settings) -> FileStore:
    """Where entry files are kept: ``KAIZEN_UPLOAD_DIR``, or the ``KAIZEN_S3_*`` bucket (uploads
    are then staged in ``KAIZEN_UPLOAD_DIR``)."""
    return _store(settings.upload_dir, settings.s3)
