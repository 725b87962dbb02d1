"""Officers' pages of the security app (mounted at ``security/`` by governance/urls.py)."""

from django.urls import path

from security import tracking_views, views
from security.reports import views as report_views
from security.urls_repeats import urlpatterns as repeats_urlpatterns
from security.urls_safety import urlpatterns as safety_urlpatterns

app_name = "security"

urlpatterns = [
    *repeats_urlpatterns,
    *safety_urlpatterns,
    path("disputes/", views.DisputeListView.as_view(), name="dispute-list"),
    path("disputes/export/", views.DisputeExportView.as_view(), name="dispute-export"),
    path("disputes/new/", views.DisputeIntakeView.as_view(), name="dispute-intake"),
    path("disputes/<int:pk>/", views.DisputeDetailView.as_view(), name="dispute-detail"),
    path("disputes/<int:pk>/agreement/print/", views.AgreementPrintView.as_view(), name="agreement-print"),
    path("disputes/<int:pk>/receipt/", tracking_views.ReceiptView.as_view(), name="dispute-receipt"),
    path("disputes/<int:pk>/<str:move>/", views.DisputeMoveView.as_view(), name="dispute-move"),
    path("three-rates/", tracking_views.RatesReportView.as_view(), name="three-rates"),
    path("high-risk/", views.HighRiskListView.as_view(), name="high-risk"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("three-mediations/", report_views.ThreeMediationsView.as_view(), name="three-mediations"),
    path("three-situations/", report_views.ThreeSituationsView.as_view(), name="three-situations"),
]
