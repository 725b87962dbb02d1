from django.urls import path

from residential import views

app_name = "residential"

urlpatterns = [
    path("meetings/new/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path("petitions/new/", views.PetitionCreateView.as_view(), name="petition-create"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow-ups"),
    path("follow-ups/<str:kind>/<int:pk>/", views.FollowUpRecordView.as_view(), name="follow-up-record"),
    path("compliance/", views.ComplianceReportView.as_view(), name="compliance"),
    path("petitions/yoy/", views.PetitionYearOverYearView.as_view(), name="petition-yoy"),
]
