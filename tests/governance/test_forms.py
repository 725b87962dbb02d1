import re

import pytest
from django import forms

from governance.forms import ERR_DIVISION_CHOICE, DivisionCascadeField, ScopedFormMixin, ScopedModelForm
from governance.models import Division, DivisionLevel, Person
from tests.factories import DivisionFactory, PersonFactory, user_with_role


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


class PlaceForm(ScopedFormMixin, forms.Form):
    place = DivisionCascadeField(label="发生地")


@pytest.fixture
def hamlet(divisions):
    return DivisionFactory(code="431302001001001", name="屋场111", level=DivisionLevel.HAMLET, parent=divisions["v11"])


@pytest.fixture
def township_officer(divisions):
    return user_with_role("township_officer", divisions["t1"], username="officer_t1")


def test_cascade_accepts_the_deepest_level_chosen_in_scope(township_officer, divisions, hamlet):
    data = {"place_0": divisions["t1"].code, "place_1": divisions["v11"].code, "place_2": hamlet.code}
    form = PlaceForm(data, user=township_officer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["place"] == hamlet


def test_cascade_stops_at_the_first_blank_level(township_officer, divisions, hamlet):
    # A stale 屋场 left below a village reset to blank is not the place.
    data = {"place_0": divisions["t1"].code, "place_1": "", "place_2": hamlet.code}
    form = PlaceForm(data, user=township_officer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["place"] == divisions["t1"]


def test_cascade_takes_the_plain_field_posted_without_javascript(township_officer, divisions):
    form = PlaceForm({"place": divisions["v12"].code, "place_0": divisions["t1"].code}, user=township_officer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["place"] == divisions["v12"]


@pytest.mark.parametrize("key", ["place", "place_1"])
def test_cascade_refuses_a_division_outside_the_subtree(township_officer, divisions, key):
    form = PlaceForm({"place_0": divisions["t1"].code, key: divisions["v21"].code}, user=township_officer)
    assert not form.is_valid()
    assert form.errors.as_data()["place"][0].code == ERR_DIVISION_CHOICE
    assert "管辖" in form.errors["place"][0]  # in Chinese, on the field


@pytest.mark.parametrize("value", ["no-such-code", "4313'; --", "x" * 500, str(1)])
def test_cascade_refuses_a_bad_value(township_officer, divisions, value):
    form = PlaceForm({"place_0": value}, user=township_officer)
    assert not form.is_valid()
    assert form.errors.as_data()["place"][0].code == ERR_DIVISION_CHOICE  # a pk is not a code either


def test_cascade_refuses_a_null_character_on_the_field(township_officer, divisions):
    form = PlaceForm({"place_0": "43\x0013"}, user=township_officer)
    assert not form.is_valid()
    assert form.errors.as_data()["place"][0].code == "null_characters_not_allowed"


def test_cascade_refuses_an_inactive_division(township_officer, divisions):
    Division.objects.filter(pk=divisions["v12"].pk).update(is_active=False)
    form = PlaceForm({"place_0": divisions["t1"].code, "place_1": divisions["v12"].code}, user=township_officer)
    assert not form.is_valid()


def test_cascade_is_required(township_officer, divisions):
    form = PlaceForm({"place_0": ""}, user=township_officer)
    assert not form.is_valid()
    assert form.errors.as_data()["place"][0].code == "required"


def test_cascade_offers_nothing_until_scoped_to_a_user(divisions):
    class Unscoped(forms.Form):
        place = DivisionCascadeField(label="发生地")

    form = Unscoped({"place": divisions["v11"].code})
    assert not form.is_valid()


def test_cascade_renders_one_labelled_select_per_level_from_the_users_root(district_admin, divisions, hamlet):
    html = str(PlaceForm(user=district_admin)["place"])
    # district → 乡镇 → 村 → 屋场: four levels, each select with its label.
    assert re.findall(r'<label for="id_place_(\d)">', html) == ["0", "1", "2", "3"]
    assert re.findall(r'<select name="place_(\d)" id="id_place_\1"', html) == ["0", "1", "2", "3"]
    assert ">乡镇<" in html and ">村<" in html and ">屋场<" in html
    # The lone root is chosen for the user and its children offered; deeper levels wait for htmx.
    assert f'value="{divisions["district"].code}" selected' in html
    assert f'value="{divisions["t2"].code}"' in html
    assert html.count('hx-get="/divisions/options/"') == 3  # every level but the last
    assert 'hx-target="#id_place_1"' in html


def test_cascade_shows_the_chosen_chain_again_after_an_error(township_officer, divisions, hamlet):
    form = PlaceForm(
        {"place_0": divisions["t1"].code, "place_1": divisions["v11"].code, "place_2": hamlet.code},
        user=township_officer,
    )
    html = str(form["place"])
    for division in (divisions["t1"], divisions["v11"], hamlet):
        assert f'value="{division.code}" selected' in html
    assert f'value="{divisions["v12"].code}"' in html  # the chosen village's siblings stay on offer


def test_cascade_never_renders_divisions_outside_the_subtree(township_officer, divisions):
    html = str(
        PlaceForm({"place_0": divisions["t2"].code, "place_1": divisions["v21"].code}, user=township_officer)["place"]
    )
    for other in ("t2", "v21", "v22", "district"):
        assert divisions[other].name not in html
