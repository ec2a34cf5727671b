"""Every API route, under /api/v1/. Part of the project wiring, like trust/urls.py."""

from rest_framework.routers import DefaultRouter

from academies import api_data, api_imports
from academies.api import AcademyViewSet
from academies.api_plans import register as register_plans
from academies.api_standards import register as register_standards
from academies.api_targets import register as register_targets
from healthchecks.api import register as register_healthchecks
from tiers.api import register as register_tiers
from trust.api_notifications import register as register_notifications

router = DefaultRouter()
router.register("academies", AcademyViewSet, basename="academy")
api_imports.register(router)
api_data.register(router)
register_plans(router)
register_targets(router)
register_standards(router)
register_healthchecks(router)
register_notifications(router)
register_tiers(router)

app_name = "api"
urlpatterns = router.urls
