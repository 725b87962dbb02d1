from rest_framework.routers import SimpleRouter

from civility.api import views

router = SimpleRouter()
router.register("accounts", views.PointAccountViewSet)
router.register("entries", views.PointEntryViewSet)
router.register("redemptions", views.RedemptionViewSet)
router.register("rankings", views.MonthlyRankingViewSet)
router.register("declarations", views.BanquetDeclarationViewSet)
router.register("activities", views.ServiceActivityConversionViewSet)
router.register("unit-kinds", views.UnitKindViewSet)
router.register("units", views.CivilityUnitViewSet)
router.register("banquet-teams", views.BanquetServiceTeamViewSet)
router.register("stations", views.PracticeStationViewSet)

urlpatterns = router.urls
