"""Settings read from the environment: sign-in throttling and trusted proxies, checked at start."""

from __future__ import annotations

import pytest

from core.engine import PoolLimits
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
