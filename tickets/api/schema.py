"""OpenAPI schema hints for drf-spectacular: how API keys authenticate, blank read-only
fields (``DeskAutoSchema``), the errors every operation can answer (added by a
postprocessing hook, ``document_errors``) and what the sync bodies refuse
(``document_sync_limits``), all applied globally from settings.

Imported by ``TicketsConfig.ready()`` so the extension is registered before the
schema is generated.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from tickets.services.sync.batch import MAX_ITEMS

# The tag of the sync-in operations (``tickets.api.sync``), which the hook below looks for.
SYNC_TAG = "sync"


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tickets.api.auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API key made with `manage.py create_api_key NAME --store CODE`, sent as "
                "`Authorization: Bearer KEY`. A key sees and writes only its stores."
            ),
        }


class DeskAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, telling the truth about blank read-only fields.

    A ModelSerializer drops ``allow_blank`` from read-only fields, so a blank model field
    (a dispute's ``outcome`` before it is resolved, a buyer without ``email``) would be
    documented as an enum or e-mail that never holds ``""``, and a client validating
    responses against the schema would refuse real answers.
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if field.read_only and getattr(field, "allow_blank", True) is False and _blank_in_model(field):
            field.allow_blank = True  # only this schema run's serializer instance; output is unchanged
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _blank_in_model(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


# Error responses -----------------------------------------------------------------------------
# Added to every operation by a postprocessing hook rather than per view, so an endpoint
# added tomorrow is documented the same way without anyone remembering to.
ERROR_REF = {"$ref": "#/components/schemas/Error"}
FIELD_ERRORS_REF = {"$ref": "#/components/schemas/FieldErrors"}
ERROR_COMPONENTS = {
    "Error": {
        "type": "object",
        "description": "Every error but 400: a readable message and a stable machine code.",
        "properties": {
            "detail": {"type": "string", "description": "Readable message, in the caller's language."},
            "code": {"type": "string", "description": "Stable code, e.g. `not_found`, `throttled`, "
                                                      "`idempotency_key_reused`, `concurrent_change`."},
        },
        "required": ["detail", "code"],
    },
    "FieldErrors": {
        "type": "object",
        "description": (
            "400: the input was refused. Each key is a field of the request (or a header, e.g. "
            "`Idempotency-Key`) with its messages; `non_field_errors` holds messages about the "
            "request as a whole (malformed JSON, say). A nested or list field nests the same way."
        ),
        "properties": {"non_field_errors": {"type": "array", "items": {"type": "string"}}},
        "additionalProperties": {},
    },
}
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"
RETRY_AFTER = {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}
IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": (
        "Any unique string (a UUID, say). A retry with the same key, path and body gets the "
        "first response again, with `Idempotent-Replayed: true`, instead of being done twice. "
        "Reusing the key for another request, or while the first is still running, is a 409. "
        "Responses are kept 24 hours; 401, 403, 429 and 5xx are not kept."
    ),
}


def _error(description: str, *, schema=ERROR_REF, headers=None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _errors_for(method: str, operation: dict) -> dict:
    parameters = operation.get("parameters", [])
    places = {p.get("in") for p in parameters}
    takes_body = "requestBody" in operation or method in {"post", "put", "patch"}
    errors = {
        "401": _error("No API key or session, or the key is invalid, revoked or expired.",
                      headers={"WWW-Authenticate": {"schema": {"type": "string"},
                                                    "description": "`Bearer`"}}),
        "403": _error("Authenticated, but not allowed to do this."),
        "429": _error("Too many requests for this API key.", headers={"Retry-After": RETRY_AFTER}),
    }
    if takes_body or "query" in places or "header" in places:
        errors["400"] = _error("Invalid input, with messages by field.", schema=FIELD_ERRORS_REF)
    # Every operation: an object named in the path, the query or the body may be missing or
    # in another store, and a list may be asked for a page past its end.
    errors["404"] = _error("Not found: no such object in the caller's stores, or no such page.")
    if takes_body:
        errors["409"] = _error("Conflicts with the current state: changed by someone else meanwhile, "
                               "or an Idempotency-Key reused or still in use.")
        errors["413"] = _error("The request body is over the size limit.")
        errors["415"] = _error("The request body's media type is not accepted.")
    return errors


def _describe_times_as_sent(node) -> None:
    """JSON Schema's ``format: time`` is RFC 3339's full-time, offset included; DRF sends
    a store's local working hours as ``09:00:00`` with none. Say what is really sent."""
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = TIME_PATTERN
        for value in node.values():
            _describe_times_as_sent(value)
    elif isinstance(node, list):
        for value in node:
            _describe_times_as_sent(value)


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error responses each operation can give,
    their body schemas, and the Idempotency-Key header on every POST."""
    _describe_times_as_sent(result.get("components", {}))
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in _errors_for(method, operation).items():
                documented = operation["responses"].setdefault(status, response)
                # A view may describe an error in its own words; the body is still ours.
                for part in ("content", "headers"):
                    if part in response:
                        documented.setdefault(part, response[part])
            if method == "post":
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_PARAMETER["name"] for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_PARAMETER))
    return result


# Sync bodies ---------------------------------------------------------------------------------
def document_sync_limits(result, generator, request, public):
    """drf-spectacular postprocessing hook: the sync request bodies hold at most
    ``MAX_ITEMS`` items (more is a 413; an empty list is accepted), and their objects
    have no other properties than those listed.

    The serializers only describe the items (``Shape.as_serializer``); the parsing is
    ``Shape.parse``, which answers an unknown field with an error on the item, so a
    client generated from the schema should not send one.
    """
    schemas = result.get("components", {}).get("schemas", {})
    closed: set[str] = set()
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or SYNC_TAG not in operation.get("tags", ()):
                continue
            for content in operation.get("requestBody", {}).get("content", {}).values():
                body = content.get("schema", {})
                if body.get("type") == "array":
                    body["maxItems"] = MAX_ITEMS
                _close_objects(body, schemas, closed)
    return result


def _close_objects(node, schemas: dict, closed: set[str]) -> None:
    """``additionalProperties: false`` on every object schema reachable from ``node``,
    following ``$ref``s into the components (each one once)."""
    if isinstance(node, list):
        for value in node:
            _close_objects(value, schemas, closed)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in closed:
            closed.add(name)
            _close_objects(schemas.get(name), schemas, closed)
        return
    if node.get("type") == "object" and isinstance(node.get("properties"), dict):
        node["additionalProperties"] = False
    for value in node.values():
        _close_objects(value, schemas, closed)
