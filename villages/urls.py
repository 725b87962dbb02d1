from django.urls import path

from villages import follow_up_views, views

app_name = "villages"

urlpatterns = [
    path("hamlets/", views.HamletListView.as_view(), name="hamlet-list"),
    path("hamlets/<int:pk>/", views.HamletDetailView.as_view(), name="hamlet-detail"),
    path("hamlets/<int:pk>/meetings/new/", views.HamletMeetingCreateView.as_view(), name="meeting-create"),
    # htmx: the matches of the meeting form's attendee search (governance.pickers).
    path(
        "hamlets/<int:pk>/meetings/attendee-options/",
        views.HamletAttendeeOptionsView.as_view(),
        name="attendee-options",
    ),
    path("hamlets/<int:pk>/households/", views.HouseholdsAssignView.as_view(), name="households-assign"),
    path("follow-ups/", follow_up_views.ResolutionFollowUpListView.as_view(), name="follow-ups"),
    path("follow-ups/<int:pk>/", follow_up_views.ResolutionFollowUpRecordView.as_view(), name="follow-up-record"),
    path("completeness/", views.CompletenessView.as_view(), name="completeness"),
]
