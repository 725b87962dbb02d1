from django.urls import path

from civility import board_views, unit_views, views

app_name = "civility"

urlpatterns = [
    path("entries/batch/", views.BatchEntryView.as_view(), name="batch-entry"),
    path("entries/pending/", views.PendingEntriesView.as_view(), name="pending"),
    path("households/<int:household_id>/wallet/", views.WalletView.as_view(), name="wallet"),
    path("declarations/", views.DeclarationListView.as_view(), name="declaration-list"),
    path("declarations/new/", views.DeclarationCreateView.as_view(), name="declaration-create"),
    path("declarations/check/", views.DeclarationCheckView.as_view(), name="declaration-check"),
    path("shop/", views.ShopView.as_view(), name="shop"),
    path("rankings/", board_views.RankingView.as_view(), name="ranking"),
    path("boards/", board_views.BoardListView.as_view(), name="board-list"),
    path("boards/<int:pk>/", board_views.BoardDetailView.as_view(), name="board-detail"),
    path("families/", board_views.FamilyListView.as_view(), name="family-list"),
    path("families/published/", board_views.FamilyPublishedView.as_view(), name="family-published"),
    path("units/", unit_views.UnitListView.as_view(), name="unit-list"),
    path("service-circle/", unit_views.ServiceCircleView.as_view(), name="service-circle"),
]
