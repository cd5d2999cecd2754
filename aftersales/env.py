"""Strict readers for settings taken from the environment.

A wrong value fails loudly at start-up rather than running with a surprise default.
Every reader also honours ``NAME_FILE`` (a path whose contents are the value), so
secrets can come from Docker or Kubernetes secret files.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        with open(file_path, encoding="utf-8") as fh:
            return fh.read().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = env_str(name, "1" if default else "0").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env_str(name, str(default)).strip()
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


def env_currency(name: str, default: str) -> str:
    raw = env_str(name, default).strip().upper()
    if len(raw) != 3 or not raw.isascii() or not raw.isalpha():
        raise ImproperlyConfigured(f"{name} must be an ISO 4217 code such as USD; got {raw!r}")
    return raw
