"""Settings from the environment: strict readers that fail loudly, ``*_FILE`` secrets."""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from aftersales.env import env_bool, env_currency, env_int, env_list, env_str

NAME = "DESK_TEST_SETTING"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    monkeypatch.delenv(f"{NAME}_FILE", raising=False)


# env_str and *_FILE ----------------------------------------------------------------------
def test_env_str_reads_the_variable_or_the_default(monkeypatch):
    assert env_str(NAME, "fallback") == "fallback"
    monkeypatch.setenv(NAME, "value")
    assert env_str(NAME, "fallback") == "value"


def test_file_variant_wins_and_is_stripped(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-from-file\n", encoding="utf-8")
    monkeypatch.setenv(NAME, "from-env")
    monkeypatch.setenv(f"{NAME}_FILE", str(secret))
    assert env_str(NAME) == "s3cret-from-file"


def test_missing_secret_file_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv(f"{NAME}_FILE", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError):
        env_str(NAME)


# env_bool -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    ("1", True), ("true", True), ("True", True), ("YES", True), ("on", True), (" true ", True),
    ("0", False), ("false", False), ("FALSE", False), ("no", False), ("off", False), ("", False),
])
def test_env_bool_accepts_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv(NAME, raw)
    assert env_bool(NAME) is expected


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_default_when_unset(default):
    assert env_bool(NAME, default=default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "y es"])
def test_env_bool_refuses_junk(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured) as info:
        env_bool(NAME)
    assert str(info.value) == f"{NAME} must be one of 1/0, true/false, yes/no, on/off; got {raw.lower()!r}"


def test_env_bool_from_file(monkeypatch, tmp_path):
    flag = tmp_path / "flag"
    flag.write_text("on\n", encoding="utf-8")
    monkeypatch.setenv(f"{NAME}_FILE", str(flag))
    assert env_bool(NAME) is True


# env_int ----------------------------------------------------------------------------------
def test_env_int(monkeypatch):
    assert env_int(NAME, 25) == 25
    monkeypatch.setenv(NAME, " 587 ")
    assert env_int(NAME, 25) == 587
    monkeypatch.setenv(NAME, "-1")
    assert env_int(NAME, 25) == -1


@pytest.mark.parametrize("raw", ["abc", "1.5", "", "20MB"])
def test_env_int_refuses_junk(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured) as info:
        env_int(NAME, 25)
    assert str(info.value) == f"{NAME} must be an integer; got {raw!r}"


def test_env_int_from_file(monkeypatch, tmp_path):
    path = tmp_path / "port"
    path.write_text("2525\n", encoding="utf-8")
    monkeypatch.setenv(f"{NAME}_FILE", str(path))
    assert env_int(NAME, 25) == 2525


# env_list ---------------------------------------------------------------------------------
def test_env_list(monkeypatch):
    assert env_list(NAME) == []
    assert env_list(NAME, "localhost,127.0.0.1") == ["localhost", "127.0.0.1"]
    monkeypatch.setenv(NAME, " desk.example.com, ,api.example.com ,")
    assert env_list(NAME, "localhost") == ["desk.example.com", "api.example.com"]
    monkeypatch.setenv(NAME, "")
    assert env_list(NAME, "localhost") == []


def test_env_list_from_file(monkeypatch, tmp_path):
    path = tmp_path / "hosts"
    path.write_text("a.example.com,b.example.com\n", encoding="utf-8")
    monkeypatch.setenv(f"{NAME}_FILE", str(path))
    assert env_list(NAME) == ["a.example.com", "b.example.com"]


# The settings module itself ---------------------------------------------------------------
def test_env_currency_is_an_upper_case_iso_code(monkeypatch):
    monkeypatch.setenv("X_CURRENCY", " eur ")
    assert env_currency("X_CURRENCY", "USD") == "EUR"
    monkeypatch.delenv("X_CURRENCY")
    assert env_currency("X_CURRENCY", "USD") == "USD"


@pytest.mark.parametrize("raw", ["EURO", "E1R", "", "€€€"])
def test_env_currency_refuses_junk(monkeypatch, raw):
    monkeypatch.setenv("X_CURRENCY", raw)
    with pytest.raises(ImproperlyConfigured, match="X_CURRENCY"):
        env_currency("X_CURRENCY", "USD")


def test_time_zone_support_is_on():
    assert settings.USE_TZ is True


def load_settings(monkeypatch, tmp_path, **env):
    """Execute aftersales/settings.py afresh under ``env`` (VAR_DIR in tmp_path)."""
    for name in ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "REQUIRE_SECRET_KEY", "DATABASE_URL", "TIME_ZONE",
                 "REDIS_URL", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = Path(sys.modules["aftersales"].__file__).with_name("settings.py")
    spec = importlib.util.spec_from_file_location("aftersales._settings_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_settings_refuse_a_junk_boolean(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be one of"):
        load_settings(monkeypatch, tmp_path, DEBUG="maybe")


def test_settings_refuse_an_unknown_time_zone(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="TIME_ZONE 'Mars/Olympus' is not an IANA time zone"):
        load_settings(monkeypatch, tmp_path, TIME_ZONE="Mars/Olympus")


def test_settings_read_the_secret_key_from_a_file(monkeypatch, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("k" * 50 + "\n", encoding="utf-8")
    loaded = load_settings(monkeypatch, tmp_path, SECRET_KEY_FILE=str(key_file))
    assert loaded.SECRET_KEY == "k" * 50


def test_settings_demand_a_secret_key_in_production(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        load_settings(monkeypatch, tmp_path, DEBUG="0", REQUIRE_SECRET_KEY="1")


def test_settings_default_to_sqlite_and_switch_to_postgres(monkeypatch, tmp_path):
    loaded = load_settings(monkeypatch, tmp_path)
    assert loaded.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert str(loaded.DATABASES["default"]["NAME"]).startswith(str(tmp_path))
    assert loaded.USE_TZ is True
    loaded = load_settings(monkeypatch, tmp_path, DATABASE_URL="postgres://desk@db:5432/desk")
    assert loaded.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert loaded.DATABASES["default"]["NAME"] == "desk"
