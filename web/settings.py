"""Settings from environment variables (documented in the README)."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.engine import DATABASE_POOL_MAX_OVERFLOW, DATABASE_POOL_SIZE, DATABASE_POOL_TIMEOUT, PoolLimits
from teams.file_store import S3Location

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KAIZEN_VAR_DIR", PROJECT_ROOT / "var"))
UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # 20 MiB per file
UPLOAD_MAX_COUNT = 10  # files per entry
SIGN_IN_MAX_FAILURES = 5  # per account and window
# per address and window: a whole office behind one NAT, proxy or VPN shares it (see the README)
SIGN_IN_ADDRESS_MAX_FAILURES = 100
SIGN_IN_WINDOW_SECONDS = 15 * 60
STORAGE_KINDS = ("local", "s3")
S3_VARIABLES = (
    "KAIZEN_S3_BUCKET",
    "KAIZEN_S3_PREFIX",
    "KAIZEN_S3_ENDPOINT",
    "KAIZEN_S3_REGION",
    "KAIZEN_S3_ACCESS_KEY_ID",
    "KAIZEN_S3_SECRET_ACCESS_KEY",
)
# S3's rule for bucket names: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at each end
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
_ENDPOINT = re.compile(r"https?://[^/\s?#]+/?")


class SettingsError(RuntimeError):
    pass


def parse_networks(name: str, value: str) -> tuple[str, ...]:
    """Comma-separated IP addresses and CIDR networks, checked and written out as networks
    (an address is a network of one)."""
    networks: list[str] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item)))
        except ValueError as exc:
            raise SettingsError(
                f"{name}: {item!r} is not an IP address or network such as 10.0.0.1 or 192.168.0.0/16 ({exc})"
            ) from exc
    return tuple(networks)


def positive_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return value


def non_negative_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a whole number of at least 0, not {raw!r}")
    return int(raw)


def positive_seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise SettingsError(f"{name} must be a number of seconds above 0, not {raw!r}")
    return value


def _s3_refusal(bucket: str, prefix: str, endpoint: str, key: str, secret: str) -> str | None:
    """Why these ``KAIZEN_S3_*`` values cannot work, or None."""
    if not bucket:
        return "KAIZEN_S3_BUCKET is required when KAIZEN_STORAGE=s3"
    if not _BUCKET.fullmatch(bucket):
        return f"KAIZEN_S3_BUCKET: {bucket!r} is not a bucket name (3-63 of a-z, 0-9, '.', '-')"
    if prefix and (not _PREFIX.fullmatch(prefix) or {".", ".."} & set(prefix.split("/"))):
        return f"KAIZEN_S3_PREFIX: {prefix!r} may hold only A-Z, a-z, 0-9, '.', '_', '-' and '/' (no . or .. part)"
    if endpoint and not _ENDPOINT.fullmatch(endpoint):
        return f"KAIZEN_S3_ENDPOINT: {endpoint!r} is not an address such as https://s3.example.com:9000"
    if bool(key) != bool(secret):
        return (
            "KAIZEN_S3_ACCESS_KEY_ID and KAIZEN_S3_SECRET_ACCESS_KEY go together: set both, "
            "or neither to use the AWS_* variables or the machine's role"
        )
    return None


def object_store(env: Mapping[str, str]) -> S3Location | None:
    """The bucket entry files are kept in (``KAIZEN_STORAGE=s3``), or None for the local disk;
    refuses a setting it cannot use, and S3 settings without ``KAIZEN_STORAGE=s3``."""
    kind = env.get("KAIZEN_STORAGE", "").strip().lower() or "local"
    value = {name.removeprefix("KAIZEN_S3_").lower(): env.get(name, "").strip() for name in S3_VARIABLES}
    if kind not in STORAGE_KINDS:
        raise SettingsError(f"KAIZEN_STORAGE must be local or s3, not {env.get('KAIZEN_STORAGE')!r}")
    if kind == "local":
        given = [name for name in S3_VARIABLES if env.get(name, "").strip()]
        if given:
            raise SettingsError(
                f"{', '.join(given)} set, but KAIZEN_STORAGE is local: "
                "set KAIZEN_STORAGE=s3 to keep files in the bucket, or remove them"
            )
        return None
    bucket, prefix, endpoint = value["bucket"], value["prefix"].strip("/"), value["endpoint"]
    key, secret = value["access_key_id"], value["secret_access_key"]
    refusal = _s3_refusal(bucket, prefix, endpoint, key, secret)
    if refusal is not None:
        raise SettingsError(refusal)
    return S3Location(
        bucket=bucket,
        prefix=prefix,
        endpoint=endpoint.rstrip("/"),
        region=value["region"] or "us-east-1",
        access_key_id=key,
        secret_access_key=secret,
    )


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{VAR_DIR / 'kaizen.sqlite3'}"


def _development_secret() -> str:
    """Generated once and kept under var/, so sessions survive a restart in development."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    pool_limits: PoolLimits = field(default_factory=PoolLimits)
    secret_key: str = ""
    production: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    # sessions: idle and absolute timeouts (seconds)
    session_idle_timeout: int = 8 * 3600
    session_absolute_timeout: int = 7 * 24 * 3600
    # sign-in throttling: failures per account and per client address within the window
    sign_in_max_failures: int = SIGN_IN_MAX_FAILURES
    sign_in_address_max_failures: int = SIGN_IN_ADDRESS_MAX_FAILURES
    sign_in_window_seconds: int = SIGN_IN_WINDOW_SECONDS
    # reverse proxies (networks, as parse_networks writes them) whose X-Forwarded-For is
    # believed; empty: the peer is the client
    trusted_proxies: tuple[str, ...] = ()
    page_size: int = 20
    debug: bool = False
    # templates and static file versions re-read when their files change (``kaizen run --reload``,
    # KAIZEN_DEBUG): development only; otherwise each template is compiled once per process
    reload_templates: bool = False
    # the scheduler: in the web process (``kaizen run``) unless disabled; ``kaizen worker`` runs it alone
    scheduler_enabled: bool = True
    scheduler_interval_seconds: int = 30
    # links in e-mails
    base_url: str = "http://127.0.0.1:8000"
    # e-mail: without a host, mails are written to the log instead of sent
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_tls: str = "none"  # none | starttls | ssl
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Kaizen <kaizen@localhost>"
    # entry attachments: where the files live, the size of one file and the files per entry
    upload_dir: Path = field(default_factory=lambda: VAR_DIR / "uploads")
    upload_max_bytes: int = UPLOAD_MAX_BYTES
    upload_max_count: int = UPLOAD_MAX_COUNT
    # None: entry files are kept in upload_dir; else in this bucket, upload_dir only staging uploads
    s3: S3Location | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        production = env.get("KAIZEN_ENV", "development").lower() == "production"
        secret = env.get("KAIZEN_SECRET_KEY", "")
        if not secret:
            if production:
                raise SettingsError("KAIZEN_SECRET_KEY is required when KAIZEN_ENV=production")
            secret = _development_secret()
        return cls(
            database_url=env.get("KAIZEN_DATABASE_URL") or _default_database_url(),
            pool_limits=PoolLimits(
                size=positive_int(env, "KAIZEN_DATABASE_POOL_SIZE", DATABASE_POOL_SIZE),
                max_overflow=non_negative_int(env, "KAIZEN_DATABASE_POOL_OVERFLOW", DATABASE_POOL_MAX_OVERFLOW),
                timeout=positive_seconds(env, "KAIZEN_DATABASE_POOL_TIMEOUT", DATABASE_POOL_TIMEOUT),
            ),
            secret_key=secret,
            production=production,
            host=env.get("KAIZEN_HOST", "127.0.0.1"),
            port=int(env.get("KAIZEN_PORT", "8000")),
            debug=env.get("KAIZEN_DEBUG", "") == "1" and not production,
            reload_templates=not production
            and (env.get("KAIZEN_DEBUG", "") == "1" or env.get("KAIZEN_RELOAD_TEMPLATES", "") == "1"),
            sign_in_max_failures=positive_int(env, "KAIZEN_SIGN_IN_MAX_FAILURES", SIGN_IN_MAX_FAILURES),
            sign_in_address_max_failures=positive_int(
                env, "KAIZEN_SIGN_IN_ADDRESS_MAX_FAILURES", SIGN_IN_ADDRESS_MAX_FAILURES
            ),
            sign_in_window_seconds=positive_int(env, "KAIZEN_SIGN_IN_WINDOW", SIGN_IN_WINDOW_SECONDS),
            trusted_proxies=parse_networks("KAIZEN_TRUSTED_PROXIES", env.get("KAIZEN_TRUSTED_PROXIES", "")),
            scheduler_enabled=env.get("KAIZEN_SCHEDULER", "1") != "0",
            scheduler_interval_seconds=int(env.get("KAIZEN_SCHEDULER_INTERVAL", "30")),
            base_url=env.get("KAIZEN_BASE_URL", "").rstrip("/")
            or f"http://{env.get('KAIZEN_HOST', '127.0.0.1')}:{env.get('KAIZEN_PORT', '8000')}",
            smtp_host=env.get("KAIZEN_SMTP_HOST", ""),
            smtp_port=int(env.get("KAIZEN_SMTP_PORT", "25")),
            smtp_username=env.get("KAIZEN_SMTP_USERNAME", ""),
            smtp_password=env.get("KAIZEN_SMTP_PASSWORD", ""),
            smtp_tls=env.get("KAIZEN_SMTP_TLS", "none").lower(),
            smtp_timeout_seconds=float(env.get("KAIZEN_SMTP_TIMEOUT", "10")),
            mail_from=env.get("KAIZEN_MAIL_FROM", "Kaizen <kaizen@localhost>"),
            upload_dir=Path(env["KAIZEN_UPLOAD_DIR"]) if env.get("KAIZEN_UPLOAD_DIR") else VAR_DIR / "uploads",
            upload_max_bytes=int(env.get("KAIZEN_UPLOAD_MAX_BYTES", str(UPLOAD_MAX_BYTES))),
            upload_max_count=int(env.get("KAIZEN_UPLOAD_MAX_COUNT", str(UPLOAD_MAX_COUNT))),
            s3=object_store(env),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
