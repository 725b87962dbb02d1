"""``/open311/v2/``: GeoReport v2 (``security.open311.views``)."""

from django.urls import re_path

from security.open311 import views

app_name = "open311"

urlpatterns = [
    re_path(r"^services\.(?P<fmt>\w+)$", views.ServiceListView.as_view(), name="services"),
    re_path(r"^services/(?P<code>[\w.-]+)\.(?P<fmt>\w+)$", views.ServiceDefinitionView.as_view(), name="service"),
    re_path(r"^requests\.(?P<fmt>\w+)$", views.RequestListView.as_view(), name="requests"),
    re_path(r"^requests/(?P<number>[\w-]+)\.(?P<fmt>\w+)$", views.RequestDetailView.as_view(), name="request"),
    re_path(r"^.*$", views.not_found),
]
