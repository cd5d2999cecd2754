from rest_framework.routers import SimpleRouter

from .views import ReplyTemplateViewSet

router = SimpleRouter()
router.register("", ReplyTemplateViewSet, basename="api-template")

urlpatterns = router.urls
