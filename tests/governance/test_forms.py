from django import forms

from governance.forms import ScopedModelForm
from governance.models import Person
from tests.factories import PersonFactory


class PersonForm(ScopedModelForm):
    class Meta:
        model = Person
        fields = ["name", "id_number", "division"]


def test_scoped_form_offers_only_divisions_in_the_users_subtree(officer, divisions):
    form = PersonForm(user=officer)
    assert list(form.fields["division"].queryset) == [divisions["v11"]]


def test_scoped_form_refuses_a_division_outside_the_subtree_and_saves_nothing(officer, divisions):
    form = PersonForm({"name": "王五", "division": divisions["v21"].pk}, user=officer)
    assert not form.is_valid()
    assert form.errors.as_data()["division"][0].code == "invalid_choice"
    assert not Person.objects.exists()


def test_scoped_form_reports_a_bad_id_number_on_the_field(officer, divisions):
    form = PersonForm(
        {"name": "王五", "id_number": "110105194912310021", "division": divisions["v11"].pk}, user=officer
    )
    assert not form.is_valid()
    assert "身份证号校验位错误" in form.errors["id_number"][0]


def test_scoped_form_accepts_good_input(officer, divisions):
    form = PersonForm(
        {"name": "王五", "id_number": PersonFactory.build().id_number, "division": divisions["v11"].pk}, user=officer
    )
    assert form.is_valid(), form.errors
    assert isinstance(form.fields["division"], forms.ModelChoiceField)
