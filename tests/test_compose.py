"""The deployment files point at things that exist.

docker compose cannot run here (no Docker engine), so these tests read
docker-compose.yml and check that every command in it names a real entry point of
the project: a renamed module would otherwise surface only on a server.
"""

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("db", "redis", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def command_words(service: dict) -> list[str]:
    """The service's command as words, looking inside `sh -c "..."`."""
    command = service.get("command", [])
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(" ".join(words[2:]))
    return words


def module_exists(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_it_defines_the_five_services(compose):
    assert set(SERVICES) <= set(compose["services"])


@pytest.mark.parametrize("name", ["db", "redis", "web"])
def test_it_healthchecks_the_services_others_wait_for(compose, name):
    assert compose["services"][name]["healthcheck"]["test"]


def test_it_waits_only_on_services_that_have_a_healthcheck(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert rule["condition"] == "service_healthy", (name, dependency)
            assert "healthcheck" in services[dependency], (name, dependency)


def test_it_runs_exactly_one_beat(compose):
    beats = [name for name, service in compose["services"].items() if "beat" in command_words(service)]
    assert beats == ["beat"]
    assert compose["services"]["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_its_build_uses_the_dockerfile_here(compose):
    for name in ("web", "worker", "beat"):
        build = compose["services"][name]["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        assert (ROOT / context / dockerfile).is_file(), name


def test_web_migrates_then_serves_the_wsgi_module(compose):
    words = command_words(compose["services"]["web"])
    assert words[:4] == ["python", "manage.py", "migrate", "--noinput"]
    assert (ROOT / "manage.py").is_file()
    gunicorn_app = words[words.index("gunicorn") + 1]
    assert module_exists(gunicorn_app.split(":")[0]), gunicorn_app


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_name_the_project_celery_app(compose, name):
    words = command_words(compose["services"][name])
    assert words[0] == "celery"
    app = words[words.index("-A") + 1]
    # `celery -A aftersales` finds the app in aftersales/celery.py.
    assert (ROOT / app / "celery.py").is_file(), app


def test_the_web_healthcheck_url_is_routed(compose):
    probe = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    path = probe.split("http://localhost:8000", 1)[1].split("'", 1)[0]
    try:
        resolve(path)
    except Resolver404:
        resolve(path + "/")  # APPEND_SLASH would redirect there


def test_find_python_prints_a_python_312_or_newer():
    found = subprocess.run(
        [str(ROOT / "bin" / "find-python")], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert Path(found).is_absolute()
    version = subprocess.run(
        [found, "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.split()
    assert tuple(map(int, version)) >= (3, 12)
    assert sys.version_info >= (3, 12)  # and the tests themselves run on one
