from rest_framework.routers import SimpleRouter

from villages.api import views

router = SimpleRouter()
router.register("hamlets", views.HamletViewSet, basename="hamlet")
router.register("contract-plots", views.ContractPlotViewSet, basename="contractplot")
router.register("share-holdings", views.ShareHoldingViewSet, basename="shareholding")
router.register("operators", views.OperatorViewSet, basename="operator")
router.register("land-transfers", views.LandTransferViewSet, basename="landtransfer")
router.register("meetings", views.HamletMeetingViewSet, basename="hamletmeeting")

urlpatterns = router.urls
