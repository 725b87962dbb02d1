"""Pages of the integrity app, mounted at ``/integrity/`` (namespace ``integrity``)."""

from django.urls import path

from integrity import casework, views

app_name = "integrity"

urlpatterns = [
    path("clues/", views.ClueListView.as_view(), name="clue-list"),
    path("clues/new/", casework.ClueIntakeView.as_view(), name="clue-intake"),
    path("clues/<int:pk>/", views.ClueDetailView.as_view(), name="clue-detail"),
    path("clues/<int:pk>/reporter/", casework.ClueReporterView.as_view(), name="clue-reporter"),
    path("clues/<int:pk>/dispose/", casework.ClueDisposeView.as_view(), name="clue-dispose"),
    # htmx: the matches of the subject pickers (governance.pickers).
    path("subjects/options/", casework.SubjectOptionsView.as_view(), name="subject-options"),
    path("cases/new/subject-options/", casework.CaseSubjectOptionsView.as_view(), name="case-subject-options"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/new/", casework.CaseFileView.as_view(), name="case-file"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<int:pk>/measures/", casework.MeasureTakeView.as_view(), name="measure-take"),
    path("cases/<int:pk>/measures/<int:measure_id>/end/", casework.MeasureEndView.as_view(), name="measure-end"),
    path("cases/<int:pk>/sanctions/", casework.SanctionDecideView.as_view(), name="sanction-decide"),
    path("cases/<int:pk>/recoveries/", casework.RecoveryRecordView.as_view(), name="recovery-record"),
    path("cases/<int:pk>/close/", casework.CaseCloseView.as_view(), name="case-close"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/funnel.xlsx", views.CampaignFunnelExportView.as_view(), name="campaign-funnel-export"),
    path("units/", casework.CleanUnitListView.as_view(), name="unit-list"),
    path("units/<int:pk>/evaluate/", casework.EvaluationEnterView.as_view(), name="unit-evaluate"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("culture/", views.CultureSiteListView.as_view(), name="culture"),
]
