"""A NUL character in any form or API field is refused with a true Chinese message: Django's own zh_Hans
catalogue says "不允许是用空字符串。" (misspelt, and no empty string is involved); our catalogue
(governance/locale) overrides it for every form and serializer of the portal."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation
from rest_framework import serializers


class _Form(forms.Form):
    name = forms.CharField()


class _Serializer(serializers.Serializer):
    name = serializers.CharField()


@pytest.mark.parametrize("value", ["a\x00b", "\x00"])
def test_nul_in_a_form_or_serializer_field_says_so_in_chinese(value):
    with translation.override("zh-hans"):
        form = _Form({"name": value})
        assert not form.is_valid()
        assert form.errors["name"] == ["不能包含空字符（NUL）。"]
        serializer = _Serializer(data={"name": value})
        assert not serializer.is_valid()
        assert [str(e) for e in serializer.errors["name"]] == ["不能包含空字符（NUL）。"]
