"""Pages of the integrity app, mounted at ``/integrity/`` (namespace ``integrity``)."""

from django.urls import path

from integrity import views

app_name = "integrity"

urlpatterns = [
    path("clues/", views.ClueListView.as_view(), name="clue-list"),
    path("clues/<int:pk>/", views.ClueDetailView.as_view(), name="clue-detail"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/funnel.xlsx", views.CampaignFunnelExportView.as_view(), name="campaign-funnel-export"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
]
