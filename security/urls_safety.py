"""Pages of issue 16: 三防联保, 24-hour duty, the 综治中心's 一地办公 (included by ``security.urls``)."""

from django.urls import path

from security import views_safety

urlpatterns = [
    path("protection/", views_safety.ProtectionView.as_view(), name="protection"),
    path("duty/", views_safety.DutyView.as_view(), name="duty"),
    path("centre/", views_safety.CentreView.as_view(), name="centre"),
]
