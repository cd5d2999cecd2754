from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import AlertViewSet, ClockViewSet, ServiceFiguresView, TicketViewSet

router = DefaultRouter()
router.register("tickets", TicketViewSet, basename="api-ticket")
router.register("clocks", ClockViewSet, basename="api-clock")
router.register("alerts", AlertViewSet, basename="api-alert")

urlpatterns = [
    path("service-figures/", ServiceFiguresView.as_view(), name="api-service-figures"),
    *router.urls,
]
