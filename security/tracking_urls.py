"""The public page of a case's code (一案一码), mounted at ``t/`` by the registry: short, for the QR."""

from django.urls import path

from security import tracking_views

app_name = "tracking"

urlpatterns = [
    path("<str:token>/", tracking_views.PublicTrackingView.as_view(), name="public"),
]
