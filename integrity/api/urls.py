from rest_framework.routers import SimpleRouter

from integrity.api import views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("subjects", views.SubjectViewSet, basename="subject")
router.register("clues", views.ClueViewSet, basename="clue")
router.register("cases", views.IntegrityCaseViewSet, basename="case")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("sanctions", views.SanctionViewSet, basename="sanction")
router.register("recoveries", views.RecoveryViewSet, basename="recovery")
router.register("matters", views.CampaignMatterViewSet, basename="matter")
router.register("projects", views.LivelihoodProjectViewSet, basename="project")
router.register("visits", views.SupervisionVisitViewSet, basename="visit")
router.register("clean-units", views.CleanUnitViewSet, basename="clean-unit")
router.register("unit-rules", views.UnitRuleViewSet, basename="unit-rule")
router.register("culture-sites", views.CultureSiteViewSet, basename="culture-site")
router.register("culture-activities", views.CultureActivityViewSet, basename="culture-activity")
router.register("access-logs", views.AccessLogViewSet, basename="access-log")

urlpatterns = router.urls
