"""Admin history pages and role groups speak Chinese: field labels, not field codes (issue 14)."""

import re

import pghistory.models
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from governance.admin import HISTORY_SKIP_FIELDS, ScopedAdminMixin, _field_label, _field_named
from governance.models import Role
from governance.services import role_group_name
from tests.auth import verified_login
from tests.civility.factories import PointRuleFactory
from tests.factories import HouseholdFactory, PersonFactory, user_with_role
from tests.integrity.factories import CampaignFactory
from tests.residential.factories import PropertyCompanyFactory
from tests.villages.factories import make_hamlet

pytestmark = pytest.mark.django_db

FIELD = re.compile(r"<li><strong>(.*?)</strong>")
LABEL = re.compile(r'<td class="event-label">(.*?)</td>')
PROJECT_APPS = {"governance", "residential", "villages", "security", "integrity", "civility"}
# Audited models whose history no page shows: the second-factor devices have no admin (their secrets
# are never displayed), so their events, with django-otp's English field names, are read by nobody.
NO_HISTORY_PAGE = {"governance.AuthenticatorDevice", "governance.RecoveryCodesDevice"}


def _event_models():
    """Every pghistory event model of the project and the model it tracks."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and getattr(model, "pgh_tracked_model", None) is not None
    ]


def _shown_labels(page: str) -> list[str]:
    return FIELD.findall(page) + LABEL.findall(page)


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


def test_every_audited_model_in_the_admin_has_the_audit_trail_history_page():
    """Django's own 历史 page lists admin log entries with English messages; the portal's (from
    ``ScopedAdminMixin``) reads the pghistory trail with Chinese labels. Every audited admin has it."""
    tracked = {model.pgh_tracked_model for model in _event_models()}
    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model in tracked and not isinstance(model_admin, ScopedAdminMixin)
    ]
    assert not plain


def test_every_audited_field_of_every_app_has_a_chinese_label():
    """Each column an audit event stores (by field name or column, as pgh_diff and pgh_data hold
    them) is labelled in Chinese on the history page, in every app."""
    codes, seen = [], set()
    for event_model in _event_models():
        tracked = event_model.pgh_tracked_model
        if tracked._meta.label in NO_HISTORY_PAGE:
            assert tracked not in admin.site._registry, tracked._meta.label  # given a page: label it
            continue
        seen.add(tracked._meta.app_label)
        for field in event_model._meta.concrete_fields:
            if field.name.startswith("pgh_") or field.name in HISTORY_SKIP_FIELDS:
                continue
            for name in {field.name, field.attname}:
                label = _field_label(_field_named(tracked, name), name)
                if label.isascii():
                    codes.append((tracked._meta.label, name, label))
    assert seen == PROJECT_APPS
    assert not codes


def _leader_case_rule(divisions):
    from security.models import LeaderCaseRule, LeaderRuleKind

    return LeaderCaseRule.objects.create(name="重复信访三次", kind=LeaderRuleKind.REPEATS, threshold=3)


def _campaign(divisions):
    return CampaignFactory(division=divisions["district"])


# One register per app, changed once after it was created: its history page, as a district user
# who may open it sees it (the integrity register by a district discipline inspector; the 领导包案
# rules, which no role is granted, by a superuser).
HISTORY_PAGES = {
    "security.LeaderCaseRule": (_leader_case_rule, "name", "新名称", "superuser"),
    "civility.PointRule": (lambda d: PointRuleFactory(division=d["district"]), "behaviour", "新行为", None),
    "residential.PropertyCompany": (lambda d: PropertyCompanyFactory(division=d["district"]), "name", "新物业", None),
    "villages.Hamlet": (lambda d: make_hamlet(d["v11"], complete=False), "note", "新备注", None),
    "integrity.Campaign": (_campaign, "name", "新整治", "discipline_inspector"),
}


@pytest.mark.parametrize("label", sorted(HISTORY_PAGES))
def test_each_apps_history_page_shows_chinese_labels(client, divisions, district_admin, label):
    make, field, value, role = HISTORY_PAGES[label]
    row = make(divisions)
    setattr(row, field, value)
    row.save()
    user = district_admin
    if role == "superuser":
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    elif role:
        user = user_with_role(role, divisions["district"], username="history_reader")
    verified_login(client, user)
    model = apps.get_model(label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[row.pk])
    answer = client.get(url)
    assert answer.status_code == 200, url
    shown = _shown_labels(answer.content.decode())
    assert str(model._meta.get_field(field).verbose_name) in shown, (url, shown)
    assert not [text for text in shown if text.isascii()], (url, shown)
