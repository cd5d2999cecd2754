"""Top-level URLs: the desk, Django's auth views, the language switch, the admin."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tickets.views import health

admin.site.site_header = _("After-sales desk")
admin.site.site_title = _("After-sales desk")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", include("tickets.urls")),
    path("api/v1/templates/", include("templates_lib.api.urls")),
    path("api/v1/", include("tickets.api.urls")),
    # Public documentation of the API's shape (no data): readable without a key.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
