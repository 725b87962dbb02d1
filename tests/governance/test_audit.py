"""The audit trail is written by database triggers, so every path of change is caught."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from governance.models import Person
from tests.auth import verified_login
from tests.factories import PersonFactory


def _events(person):
    return list(person.events.order_by("pgh_id").values_list("pgh_label", "name"))


def test_insert_and_bulk_update_are_recorded(divisions):
    person = PersonFactory(division=divisions["v11"], name="李一")
    Person.objects.filter(pk=person.pk).update(name="李二")  # no save(), no signals
    assert _events(person) == [("insert", "李一"), ("update", "李二")]


def test_raw_sql_update_is_recorded(divisions):
    person = PersonFactory(division=divisions["v11"], name="李一")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE governance_person SET name = %s WHERE id = %s", ["王五", person.pk])
    assert _events(person)[-1] == ("update", "王五")


def test_delete_is_recorded(divisions):
    person = PersonFactory(division=divisions["v11"], name="李一")
    pk = person.pk
    person.delete()
    from governance.models.people import Person as P

    event_model = P.events.rel.related_model
    assert list(event_model.objects.filter(pgh_obj_id=pk).values_list("pgh_label", flat=True)) == ["insert", "delete"]


def test_api_edit_is_recorded_with_the_user(divisions, api_client):
    from tests.factories import user_with_role

    user = user_with_role("township_officer", divisions["t1"], username="editor_t1")
    person = PersonFactory(division=divisions["v11"], name="李一")
    verified_login(api_client, user)
    url = reverse("api:governance-api:person-detail", args=[person.pk])
    response = api_client.patch(url, {"name": "李二"}, format="json")
    assert response.status_code == 200, response.content
    event = person.events.order_by("pgh_id").last()
    assert (event.pgh_label, event.name) == ("update", "李二")
    assert event.pgh_context.metadata["user"] == user.pk
    assert event.pgh_context.metadata["url"] == url


def test_admin_edit_is_recorded_with_the_user(divisions, client, district_admin):
    person = PersonFactory(division=divisions["v11"], name="李一", phone="")
    verified_login(client, district_admin)
    url = reverse("admin:governance_person_change", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: (value if value is not None else "") for name, value in form.initial.items()}
    data.update({"name": "李三", "division": divisions["v11"].pk, "id_number": person.id_number})
    data = {k: v for k, v in data.items() if k in form.fields}
    for inline in page.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        for field in management.fields:
            data[f"{inline.formset.prefix}-{field}"] = management.initial.get(field, 0) or 0
    response = client.post(url, data)
    assert response.status_code == 302, getattr(response.context.get("adminform"), "form", None)
    event = person.events.order_by("pgh_id").last()
    assert (event.pgh_label, event.name) == ("update", "李三")
    assert event.pgh_context.metadata["user"] == district_admin.pk


def test_audit_rows_cannot_be_changed_or_deleted(divisions):
    person = PersonFactory(division=divisions["v11"])
    event_model = Person.events.rel.related_model
    with pytest.raises(DatabaseError), transaction.atomic():
        event_model.objects.filter(pgh_obj_id=person.pk).update(name="篡改")
    with pytest.raises(DatabaseError), transaction.atomic():
        event_model.objects.filter(pgh_obj_id=person.pk).delete()


def test_bulk_create_audited_writes_the_event_rows_the_trigger_writes(divisions):
    """seed_demo's bulk inserts write their audit rows set-based: the same columns and values as the
    insert trigger's, one event per row, no second event from the trigger itself."""
    from governance.audit import bulk_create_audited

    division = divisions["v11"]
    by_trigger = Person.objects.bulk_create([Person(name="张三", division=division, phone="13812345678")])
    in_bulk = bulk_create_audited(Person, [Person(name="李四", division=division, phone="13812345679")])
    events = [*by_trigger[0].events.all(), *in_bulk[0].events.all()]
    own = ("_state", "pgh_id", "pgh_obj_id", "id", "name", "phone", "created_at", "updated_at")
    rows = [{k: v for k, v in e.__dict__.items() if k not in own} for e in events]
    assert len(rows) == 2
    assert rows[0] == rows[1]
    assert [e.pgh_obj_id for e in events] == [by_trigger[0].pk, in_bulk[0].pk]
    assert [(e.name, e.created_at) for e in events] == [(p.name, p.created_at) for p in [*by_trigger, *in_bulk]]


def test_bulk_create_audited_attaches_the_request_context_once_for_all_rows(divisions):
    """The context (user, URL) is looked up once per statement, not once per row, and every event of
    the bulk insert carries it, as the per-row trigger's events do."""
    import pghistory

    from governance.audit import bulk_create_audited

    division = divisions["v11"]
    with pghistory.context(url="/演示/"):
        by_trigger = Person.objects.bulk_create([Person(name="张三", division=division, phone="13812345678")])
        in_bulk = bulk_create_audited(
            Person, [Person(name=f"李{i}", division=division, phone=f"1381234570{i}") for i in range(3)]
        )
    events = [e for p in [*by_trigger, *in_bulk] for e in p.events.all()]
    assert len(events) == 4
    assert events[0].pgh_context_id is not None
    assert {e.pgh_context_id for e in events} == {events[0].pgh_context_id}
    assert events[0].pgh_context.metadata["url"] == "/演示/"
