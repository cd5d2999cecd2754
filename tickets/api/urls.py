from rest_framework.routers import DefaultRouter

from .views import AlertViewSet, ClockViewSet, TicketViewSet

router = DefaultRouter()
router.register("tickets", TicketViewSet, basename="api-ticket")
router.register("clocks", ClockViewSet, basename="api-clock")
router.register("alerts", AlertViewSet, basename="api-alert")

urlpatterns = router.urls
