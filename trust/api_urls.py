"""Every API route, under /api/v1/. Part of the project wiring, like trust/urls.py."""

from rest_framework.routers import DefaultRouter

from academies.api import AcademyViewSet

router = DefaultRouter()
router.register("academies", AcademyViewSet, basename="academy")

app_name = "api"
urlpatterns = router.urls
