"""Every admin list of the portal can be searched (issue 14, item 7: 巡防记录, 红白事报备, 劝阻记录 and
志愿者 had no search), and each search runs (a wrong lookup would be a 500)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.auth import verified_login

OUR_APPS = {"governance", "security", "villages", "residential", "integrity", "civility"}


def _our_admins():
    return [(m, a) for m, a in admin.site._registry.items() if m._meta.app_label in OUR_APPS]


def test_every_admin_list_of_ours_has_a_search_box():
    missing = [m._meta.label for m, a in _our_admins() if not a.search_fields]
    assert missing == []


@pytest.mark.django_db
def test_every_admin_search_runs(client, divisions):
    from governance.models import User

    verified_login(client, User.objects.create_superuser("search_root", "s@example.gov.cn", "x-Pass-2026"))
    for model, _model_admin in _our_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, {"q": "星园 0738"})
        assert response.status_code == 200, url
