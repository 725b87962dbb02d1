from django.urls import path

from residential import credit_views, views

app_name = "residential"

urlpatterns = [
    path("meetings/new/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path("petitions/new/", views.PetitionCreateView.as_view(), name="petition-create"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow-ups"),
    # One route per kind, so each names its model (the scope probe walks them with other areas' rows).
    path(
        "follow-ups/rectification/<int:pk>/",
        views.FollowUpRecordView.as_view(),
        {"kind": "rectification"},
        name="follow-up-rectification",
    ),
    path(
        "follow-ups/enforcement/<int:pk>/",
        views.FollowUpRecordView.as_view(),
        {"kind": "enforcement"},
        name="follow-up-enforcement",
    ),
    path(
        "follow-ups/resolution/<int:pk>/",
        views.FollowUpRecordView.as_view(),
        {"kind": "resolution"},
        name="follow-up-resolution",
    ),
    path("credit/", credit_views.CreditPeriodListView.as_view(), name="credit-periods"),
    path("credit/<int:pk>/", credit_views.CreditPeriodDetailView.as_view(), name="credit-period"),
    path("credit/<int:pk>/evaluate/", credit_views.CreditEvaluationView.as_view(), name="credit-evaluate"),
    path(
        "credit/evaluations/<int:pk>/publish/",
        credit_views.CreditEvaluationPublishView.as_view(),
        name="credit-evaluation-publish",
    ),
    path("credit/<int:pk>/list/", credit_views.RedBlackListActionView.as_view(), name="credit-list-action"),
    path("compliance/", views.ComplianceReportView.as_view(), name="compliance"),
    path("petitions/yoy/", views.PetitionYearOverYearView.as_view(), name="petition-yoy"),
]
