"""Settings read from the environment: sign-in throttling and trusted proxies, checked at start."""

from __future__ import annotations

import pytest

from core.engine import PoolLimits
from teams.file_store import S3Location
from web.settings import Settings, SettingsError

BASE = {"KAIZEN_SECRET_KEY": "s" * 40}


def test_throttling_defaults_trust_no_proxy() -> None:
    settings = Settings.from_env(BASE)
    assert (settings.sign_in_max_failures, settings.sign_in_address_max_failures) == (5, 100)
    assert settings.sign_in_window_seconds == 15 * 60
    assert settings.trusted_proxies == ()


def test_throttling_and_trusted_proxies_are_configurable() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "KAIZEN_SIGN_IN_MAX_FAILURES": "3",
            "KAIZEN_SIGN_IN_ADDRESS_MAX_FAILURES": "250",
            "KAIZEN_SIGN_IN_WINDOW": "600",
            "KAIZEN_TRUSTED_PROXIES": " 10.0.0.1, 192.168.0.0/16 ,,fd00::/8 ",
        }
    )
    assert (settings.sign_in_max_failures, settings.sign_in_address_max_failures) == (3, 250)
    assert settings.sign_in_window_seconds == 600
    assert settings.trusted_proxies == ("10.0.0.1/32", "192.168.0.0/16", "fd00::/8")


@pytest.mark.parametrize(
    "value", ["10.0.0.300", "proxy.internal", "192.168.1.5/16", "10.0.0.0/33", "10.0.0.1;10.0.0.2"]
)
def test_a_bad_trusted_proxy_stops_the_start_with_a_clear_message(value: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**BASE, "KAIZEN_TRUSTED_PROXIES": f"10.0.0.1,{value}"})
    assert str(error.value).startswith(f"KAIZEN_TRUSTED_PROXIES: {value!r} is not an IP address or network")


@pytest.mark.parametrize(
    "name", ["KAIZEN_SIGN_IN_MAX_FAILURES", "KAIZEN_SIGN_IN_ADDRESS_MAX_FAILURES", "KAIZEN_SIGN_IN_WINDOW"]
)
@pytest.mark.parametrize("value", ["0", "-5", "five", "1.5"])
def test_a_bad_limit_stops_the_start_with_a_clear_message(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must be a whole number of at least 1, not '{value}'$"):
        Settings.from_env({**BASE, name: value})


def test_templates_are_reloaded_only_when_developing_with_reload_or_debug() -> None:
    assert not Settings.from_env(BASE).reload_templates
    assert Settings.from_env({**BASE, "KAIZEN_RELOAD_TEMPLATES": "1"}).reload_templates
    assert Settings.from_env({**BASE, "KAIZEN_DEBUG": "1"}).reload_templates
    production = {**BASE, "KAIZEN_ENV": "production", "KAIZEN_RELOAD_TEMPLATES": "1", "KAIZEN_DEBUG": "1"}
    assert not Settings.from_env(production).reload_templates


def test_an_app_without_reload_compiles_each_template_once() -> None:
    from web.templating import build_environment

    assert not build_environment().auto_reload
    assert build_environment(auto_reload=True).auto_reload


def test_database_pool_defaults_and_settings() -> None:
    assert Settings.from_env({}).pool_limits == PoolLimits(size=10, max_overflow=10, timeout=5.0)
    env = {"KAIZEN_DATABASE_POOL_SIZE": "4", "KAIZEN_DATABASE_POOL_OVERFLOW": "0"}
    env["KAIZEN_DATABASE_POOL_TIMEOUT"] = "2.5"
    assert Settings.from_env(env).pool_limits == PoolLimits(size=4, max_overflow=0, timeout=2.5)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KAIZEN_DATABASE_POOL_SIZE", "0", "a whole number of at least 1"),
        ("KAIZEN_DATABASE_POOL_OVERFLOW", "-1", "a whole number of at least 0"),
        ("KAIZEN_DATABASE_POOL_TIMEOUT", "0", "a number of seconds above 0"),
        ("KAIZEN_DATABASE_POOL_TIMEOUT", "soon", "a number of seconds above 0"),
    ],
)
def test_a_bad_pool_setting_stops_the_start_with_a_clear_message(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must be {message}, not '{value}'$"):
        Settings.from_env({name: value})


# --- where entry files are kept -----------------------------------------------------------------

S3 = {**BASE, "KAIZEN_STORAGE": "s3", "KAIZEN_S3_BUCKET": "kaizen-files"}


def test_files_are_kept_on_the_local_disk_unless_a_bucket_is_configured() -> None:
    assert Settings.from_env(BASE).s3 is None
    assert Settings.from_env({**BASE, "KAIZEN_STORAGE": " Local "}).s3 is None
    assert Settings.from_env(S3).s3 == S3Location(bucket="kaizen-files", region="us-east-1")
    location = Settings.from_env(
        {
            **S3,
            "KAIZEN_STORAGE": "S3",
            "KAIZEN_S3_PREFIX": "/kaizen/entries/",
            "KAIZEN_S3_ENDPOINT": "http://minio.internal:9000/",
            "KAIZEN_S3_REGION": "eu-central-1",
            "KAIZEN_S3_ACCESS_KEY_ID": "AKIAKAIZEN",
            "KAIZEN_S3_SECRET_ACCESS_KEY": "very-secret",
        }
    ).s3
    assert location == S3Location(
        bucket="kaizen-files",
        prefix="kaizen/entries",
        endpoint="http://minio.internal:9000",
        region="eu-central-1",
        access_key_id="AKIAKAIZEN",
        secret_access_key="very-secret",
    )
    assert "very-secret" not in repr(location)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**BASE, "KAIZEN_STORAGE": "gcs"}, "KAIZEN_STORAGE must be local or s3, not 'gcs'"),
        ({**BASE, "KAIZEN_STORAGE": "s3"}, "KAIZEN_S3_BUCKET is required when KAIZEN_STORAGE=s3"),
        (
            {**BASE, "KAIZEN_S3_BUCKET": "kaizen-files", "KAIZEN_S3_REGION": "eu-central-1"},
            "KAIZEN_S3_BUCKET, KAIZEN_S3_REGION set, but KAIZEN_STORAGE is local: "
            "set KAIZEN_STORAGE=s3 to keep files in the bucket, or remove them",
        ),
        ({**S3, "KAIZEN_S3_BUCKET": "Kaizen_Files"}, "KAIZEN_S3_BUCKET: 'Kaizen_Files' is not a bucket name"),
        ({**S3, "KAIZEN_S3_PREFIX": "a/../b c"}, "KAIZEN_S3_PREFIX: 'a/../b c' may hold only"),
        ({**S3, "KAIZEN_S3_PREFIX": "a//b"}, "KAIZEN_S3_PREFIX: 'a//b' may hold only"),
        ({**S3, "KAIZEN_S3_PREFIX": "a/../b"}, "KAIZEN_S3_PREFIX: 'a/../b' may hold only"),
        ({**S3, "KAIZEN_S3_ENDPOINT": "minio:9000"}, "KAIZEN_S3_ENDPOINT: 'minio:9000' is not an address"),
        ({**S3, "KAIZEN_S3_ENDPOINT": "https://s3.example.com/x"}, "KAIZEN_S3_ENDPOINT: 'https://s3.example.com/x'"),
        (
            {**S3, "KAIZEN_S3_ACCESS_KEY_ID": "AKIAKAIZEN"},
            "KAIZEN_S3_ACCESS_KEY_ID and KAIZEN_S3_SECRET_ACCESS_KEY go together",
        ),
        ({**S3, "KAIZEN_S3_SECRET_ACCESS_KEY": "s"}, "KAIZEN_S3_ACCESS_KEY_ID and KAIZEN_S3_SECRET_ACCESS_KEY go"),
    ],
)
def test_a_storage_setting_that_cannot_work_stops_the_start_with_a_clear_message(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env)
    assert str(error.value).startswith(message)
