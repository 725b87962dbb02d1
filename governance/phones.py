"""Phone numbers, read with Google's ``phonenumbers`` and stored one way.

Clerks type a number in many forms (``+86 138 1234 5678``, ``86-13812345678``, ``138-1234-5678``,
``(0738)8123456``, full-width digits); the portal keeps one: a mobile as its 11 digits
(``13812345678``), a landline as area code, hyphen, subscriber number (``0738-8123456``), another
Chinese number (400/800 lines) as its digits, a foreign one in E.164 (``+85291234567``). Where the
field is a caller's number, a service number (``12345``, ``110``, ``95588``) is accepted too.

``phone_normalize`` is the one reading; ``PhoneNumberField`` (models), ``PhoneFormField`` (forms and
the admin) and ``governance.api.fields.PhoneSerializerField`` (the API) all call it, and imports
clean through the model field, so a number is stored, searched and compared in the same form."""

from __future__ import annotations

import re

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberFormat, PhoneNumberType, shortnumberinfo

REGION = "CN"
ERR_PHONE = "phone_invalid"
PHONE_MAX_LENGTH = 20
KNOWN_MAX = 200_000  # numbers remembered (a big import reads each twice: the cell, then the model field)
_KNOWN: dict[tuple[str, bool], str] = {}

MESSAGE = _("电话号码格式不正确：手机号为11位（1开头），座机号为区号加号码，如 0738-8123456。")
MESSAGE_SERVICE = _(
    "电话号码格式不正确：手机号为11位（1开头），座机号为区号加号码（如 0738-8123456），或服务号码（如 12345）。"
)


# Eleven ASCII digits that ``phonenumbers.parse(value, "CN")`` keeps whole: a leading 1 but none of
# the prefixes it may strip as a carrier code (``1[12]xx``, ``179xx``: CN's national_prefix_for_parsing)
# — the form of nearly every mobile number in a file. Built directly, they skip the parser (half the
# cost of a number); validity and type are still phonenumbers' own. tests/governance/test_phones.py
# compares both readings over every such prefix.
_PLAIN_MOBILE = re.compile(r"1(?:[3-689][0-9]|7[0-8])[0-9]{8}")


def _parse(value: str) -> phonenumbers.PhoneNumber | None:
    if _PLAIN_MOBILE.fullmatch(value):
        return phonenumbers.PhoneNumber(country_code=86, national_number=int(value))
    return _parse_full(value)


def _parse_full(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        return None


def phone_normalize(value: str | None, *, service: bool = False) -> str:
    """The stored form of a phone number typed in any common form; ``""`` for blank.

    ``service=True`` also accepts service numbers (12345, 110, 95588: short numbers valid in China).
    Raises ``ValidationError`` (code ``ERR_PHONE``, a Chinese message) for anything else."""
    value = (value or "").strip()
    if not value:
        return ""
    known = _KNOWN.get((value, service))
    if known is not None:
        return known
    stored, short = _phone_normalize(value, service)
    if len(_KNOWN) < KNOWN_MAX:  # the stored form normalises to itself: an import cleans it twice
        _KNOWN[(value, service)] = _KNOWN[(stored, True)] = stored
        if not short:  # not only a service number: valid for every phone field
            _KNOWN[(stored, False)] = stored
    return stored


def _phone_normalize(value: str, service: bool) -> tuple[str, bool]:
    number = _parse(value)
    if number is not None and phonenumbers.is_valid_number(number):
        if number.country_code != phonenumbers.country_code_for_region(REGION):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164), False
        digits = phonenumbers.national_significant_number(number)
        if phonenumbers.number_type(number) == PhoneNumberType.FIXED_LINE:
            area = phonenumbers.length_of_geographical_area_code(number)
            return f"0{digits[:area]}-{digits[area:]}", False
        return digits, False
    if service and number is not None and shortnumberinfo.is_valid_short_number_for_region(number, REGION):
        return phonenumbers.national_significant_number(number), True
    raise ValidationError(MESSAGE_SERVICE if service else MESSAGE, code=ERR_PHONE)


def phone_search_form(term: str) -> str | None:
    """The stored form of a search term that reads as a whole phone number, else ``None``. Only
    whole numbers are matched, never fragments (no fishing for people by partial numbers)."""
    term = (term or "").strip()
    if sum(ch.isdigit() for ch in term) < 5:  # service numbers (12345) at the shortest
        return None
    try:
        return phone_normalize(term, service=True) or None
    except ValidationError:
        return None


def validate_phone(value: str) -> None:
    """A mobile, a landline with its area code, or another valid number, in any common form. (The
    fields normalise by themselves; the first migrations name this validator.)"""
    phone_normalize(value)


class PhoneFormField(forms.CharField):
    """A form field that reads any common form and cleans to the stored one."""

    def __init__(self, *, service: bool = False, **kwargs):
        self.service = service
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return phone_normalize(value, service=self.service) if value not in self.empty_values else value


class PhoneNumberField(models.CharField):
    """联系电话: stored normalised (see the module). ``service=True`` where it is a caller's number."""

    def __init__(self, *args, service: bool = False, **kwargs):
        self.service = service
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.service:
            kwargs["service"] = True
        kwargs.pop("blank", None)
        if not self.blank:
            kwargs["blank"] = False
        if kwargs.get("max_length") == PHONE_MAX_LENGTH:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return phone_normalize(value, service=self.service) if value else value

    def get_prep_value(self, value):
        # CharField would run query values through to_python: a lookup must not raise on a non-number.
        value = models.Field.get_prep_value(self, value)
        return value if value is None else str(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhoneFormField, "service": self.service, **kwargs})


def stored_phones_normalize(app_label: str, models_service: dict[str, bool]):
    """A ``RunPython`` function for a data migration: each named model's ``phone`` rewritten in the
    stored form (``{"person": True}``: model name → service numbers accepted). A value that does not
    read as a number is left as it is, to be corrected by hand when the row is next edited."""

    def run(apps, schema_editor) -> None:
        for model_name, service in models_service.items():
            model = apps.get_model(app_label, model_name)
            changed = []
            for row in model._base_manager.exclude(phone="").only("pk", "phone").iterator():
                try:
                    value = phone_normalize(row.phone, service=service)
                except ValidationError:
                    continue
                if value != row.phone:
                    row.phone = value
                    changed.append(row)
            model._base_manager.bulk_update(changed, ["phone"], batch_size=1000)

    return run
