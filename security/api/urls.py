from rest_framework.routers import SimpleRouter

from security.api import repeats, views
from security.reports.api import SecurityReportViewSet

router = SimpleRouter()
router.register("disputes", views.DisputeViewSet, basename="dispute")
# Issue 20: …/disputes/<id>/suggestions/ and …/link/ (no route of the first viewset has these names).
router.register("disputes", repeats.DisputeRepeatsViewSet, basename="dispute-repeats")
router.register("bodies", views.MediationBodyViewSet, basename="body")
router.register("routing-rules", views.RoutingRuleViewSet, basename="routing-rule")
router.register("police-rooms", views.PoliceRoomViewSet, basename="police-room")
router.register("patrol-teams", views.PatrolTeamViewSet, basename="patrol-team")
router.register("patrol-logs", views.PatrolLogViewSet, basename="patrol-log")
router.register("stats", views.SecurityStatViewSet, basename="stat")
router.register("protective-resources", views.ProtectiveResourceViewSet, basename="protective-resource")
router.register("duty-shifts", views.DutyShiftViewSet, basename="duty-shift")
router.register("reports", SecurityReportViewSet, basename="report")

urlpatterns = router.urls
