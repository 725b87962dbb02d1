"""Pages of issue 20 (repeats, 领导包案, 退单), placed before the case page's ``<move>`` catch-all."""

from django.urls import path

from security import views_repeats

urlpatterns = [
    path("disputes/<int:pk>/link-case/", views_repeats.DisputeLinkView.as_view(), name="dispute-link"),
    path("leader-cases/", views_repeats.LeaderCaseListView.as_view(), name="leader-cases"),
    path("leader-cases/<int:pk>/", views_repeats.LeaderCaseDetailView.as_view(), name="leader-case-detail"),
    path(
        "leader-cases/<int:pk>/<str:action>/",
        views_repeats.LeaderCaseActionView.as_view(),
        name="leader-case-action",
    ),
    path("bounces/", views_repeats.BounceReportView.as_view(), name="bounces"),
]
