"""Admin history pages and role groups speak Chinese: field labels, not field codes (issue 14)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from governance.models import Role
from governance.services import role_group_name
from tests.auth import verified_login
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

FIELD = re.compile(r"<li><strong>(.*?)</strong>")
LABEL = re.compile(r'<td class="event-label">(.*?)</td>')


def test_history_shows_chinese_field_labels_never_codes(client, divisions, district_admin):
    person = PersonFactory(division=divisions["v11"])
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    household.address = "新地址 8 号"
    household.save()
    person.name = "改名"
    person.save()
    verified_login(client, district_admin)
    for url in (
        reverse("admin:governance_person_history", args=[person.pk]),
        reverse("admin:governance_household_history", args=[household.pk]),
        reverse("admin:governance_user_history", args=[district_admin.pk]),
    ):
        page = client.get(url).content.decode()
        shown = FIELD.findall(page) + LABEL.findall(page)
        assert shown, url
        codes = [text for text in shown if text.isascii()]
        assert not codes, (url, codes)


def test_role_groups_show_chinese_names_and_keep_their_codes(client, district_admin):
    verified_login(client, district_admin)
    district_admin.is_superuser = True
    district_admin.save(update_fields=["is_superuser"])
    page = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert str(Role.DISTRICT_ADMIN.label) in page
    assert Group.objects.filter(name=role_group_name(Role.DISTRICT_ADMIN)).exists()  # the code is unchanged
    user_page = client.get(reverse("admin:governance_user_change", args=[district_admin.pk])).content.decode()
    assert f">{role_group_name(Role.DISTRICT_ADMIN)}<" not in user_page


def test_a_district_admin_reads_the_roles_of_an_account_in_chinese(client, district_admin):
    assert district_admin.groups.filter(name=role_group_name(Role.DISTRICT_ADMIN)).exists()
    verified_login(client, district_admin)
    page = client.get(reverse("admin:governance_user_change", args=[district_admin.pk])).content.decode()
    assert str(Role.DISTRICT_ADMIN.label) in page
    assert role_group_name(Role.DISTRICT_ADMIN) not in page
