"""Officers' pages. Sign-in, sign-out and home keep plain names (``LOGIN_URL = "login"``,
``LOGIN_REDIRECT_URL = "home"``); the registers live under the ``governance`` namespace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from governance import notice_views, second_factor_views, todo, views

# No module-level ``app_name``: ``include("governance.pages")`` would then namespace login and home too.
register_patterns = [
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("households/", views.HouseholdListView.as_view(), name="household-list"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household-detail"),
    # htmx: the <option>s of a division's children, for dependent selects (township → village → 屋场).
    path("divisions/options/", views.DivisionOptionsView.as_view(), name="division-options"),
    path("households/options/", views.HouseholdOptionsView.as_view(), name="household-options"),
    path("todo/", todo.TodoView.as_view(), name="todo"),
    path("notices/", notice_views.NoticeListView.as_view(), name="notice-list"),
    path("notices/read/", notice_views.NoticeReadView.as_view(), name="notice-read"),
    path("notices/settings/", notice_views.NoticeSettingsView.as_view(), name="notice-settings"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The second factor of discipline staff and district admins (governance.second_factor).
    path("account/otp/enrol/", second_factor_views.EnrolView.as_view(), name="otp-enrol"),
    path("account/otp/verify/", second_factor_views.VerifyView.as_view(), name="otp-verify"),
    path("", include((register_patterns, "governance"))),
    path("dashboard/", include("governance.dashboard.urls")),
]
