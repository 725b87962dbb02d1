from rest_framework.routers import SimpleRouter

from residential.api import views

router = SimpleRouter()
router.register("compounds", views.CompoundViewSet, basename="compound")
router.register("property-companies", views.PropertyCompanyViewSet, basename="property-company")
router.register("property-contracts", views.PropertyContractViewSet, basename="property-contract")
router.register("owners-committees", views.OwnersCommitteeViewSet, basename="owners-committee")
router.register("committee-rectifications", views.CommitteeRectificationViewSet, basename="committee-rectification")
router.register("credit-evaluations", views.CreditEvaluationViewSet, basename="credit-evaluation")
router.register("red-black-lists", views.RedBlackListViewSet, basename="red-black-list")
router.register("meetings", views.BuildingCouncilMeetingViewSet, basename="meeting")
router.register("meeting-resolutions", views.MeetingResolutionViewSet, basename="meeting-resolution")
router.register("petitions", views.PetitionViewSet, basename="petition")
router.register("enforcement-visits", views.EnforcementVisitViewSet, basename="enforcement-visit")

urlpatterns = router.urls
