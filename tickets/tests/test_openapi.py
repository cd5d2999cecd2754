"""The OpenAPI schema at /api/schema/ and the Swagger UI at /api/docs/: public,
complete for our endpoints, warning-free, and served without any CDN."""

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_is_public_openapi_3_with_our_paths_and_bearer_auth(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json() if "json" in response["Content-Type"] else yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/tickets/", "/api/v1/clocks/", "/api/v1/alerts/", "/api/v1/service-figures/"):
        assert path in schema["paths"], path
    schemes = schema["components"]["securitySchemes"]
    bearer = [name for name, scheme in schemes.items()
              if scheme.get("type") == "http" and scheme.get("scheme") == "bearer"]
    assert bearer
    operation = schema["paths"]["/api/v1/tickets/"]["get"]
    assert {bearer[0]: []} in operation["security"]
    figures = schema["paths"]["/api/v1/service-figures/"]["get"]
    assert figures["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ServiceFigures")


def test_schema_ignores_a_bad_api_key(client):
    """Public documentation: even a revoked or made-up key does not turn it into a 401."""
    response = client.get("/api/schema/", HTTP_AUTHORIZATION="Bearer not-a-key")
    assert response.status_code == 200


def test_docs_page_uses_only_local_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    # Any absolute address in the page (scripts may build URLs too), not any text: the
    # page carries a random CSRF token, which now and then spells "cdn".
    for address in re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html):
        assert not any(host in address.lower() for host in ("cdn", "jsdelivr", "unpkg")), address
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert urls, "the page loads Swagger UI from somewhere"
    for url in urls:
        assert not re.match(r"^(https?:)?//", url), url
    assert any(url.startswith("/static/drf_spectacular_sidecar/") for url in urls)
    assert "/api/schema/" in html


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["openapi"].startswith("3.")


def _schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def test_every_operation_documents_its_errors_with_their_bodies(client):
    schema = _schema(client)
    components = schema["components"]["schemas"]
    assert set(components["Error"]["required"]) == {"detail", "code"}
    assert "non_field_errors" in components["FieldErrors"]["properties"]
    error, field_errors = "#/components/schemas/Error", "#/components/schemas/FieldErrors"
    operations = list(_operations(schema))
    assert len(operations) >= 10
    for path, method, operation in operations:
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        for status in ("401", "403", "404", "429"):
            assert responses[status]["content"]["application/json"]["schema"]["$ref"] == error, (where, status)
        assert "Retry-After" in responses["429"]["headers"], where
        assert "WWW-Authenticate" in responses["401"]["headers"], where
        if method in {"post", "put", "patch"}:
            assert responses["400"]["content"]["application/json"]["schema"]["$ref"] == field_errors, where
            for status in ("409", "413"):
                assert responses[status]["content"]["application/json"]["schema"]["$ref"] == error, where
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in responses, where


def test_every_post_documents_the_idempotency_key_header(client):
    posts = [(path, op) for path, method, op in _operations(_schema(client)) if method == "post"]
    assert any(path == "/api/v1/tickets/{id}/status/" for path, _op in posts)
    for path, operation in posts:
        headers = [p for p in operation["parameters"] if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert len(headers) == 1, path
        assert headers[0]["schema"]["maxLength"] == 200
        assert not headers[0]["required"]


def test_the_description_states_the_error_format_and_limits(client):
    description = _schema(client)["info"]["description"]
    for needle in ("non_field_errors", '"code"', "Retry-After", "Idempotency-Key", "413"):
        assert needle in description, needle
