from rest_framework.routers import SimpleRouter

from governance.api import views, webhooks

router = SimpleRouter()
router.register("divisions", views.DivisionViewSet, basename="division")
router.register("people", views.PersonViewSet, basename="person")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("posts", views.PostViewSet, basename="post")
router.register("webhooks", webhooks.WebhookSubscriptionViewSet, basename="webhook")

urlpatterns = router.urls
