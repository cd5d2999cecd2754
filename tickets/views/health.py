"""Health check for load balancers and docker compose."""

from django.db import DatabaseError
from django.http import JsonResponse

from tickets.services.health import health_report


def healthz(request):
    try:
        report = health_report()
    except DatabaseError:
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse(report)
