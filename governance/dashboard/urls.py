from django.urls import path

from governance.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="home"),
    path("<str:code>/", views.DashboardView.as_view(), name="division"),
    path("<str:code>/export.xlsx", views.DashboardExportView.as_view(), name="export"),
]
