import datetime
import os
import time

import pytest
import time_machine
from django.core.exceptions import ValidationError

from governance.masking import mask_id_number, mask_phone
from governance.validators import (
    ERR_ID_BIRTH_DATE,
    ERR_ID_CHECKSUM,
    ERR_ID_FORMAT,
    ERR_PHONE,
    ERR_USCC_CHECKSUM,
    id_number_birth_date,
    id_number_check_char,
    id_number_sex,
    validate_id_number,
    validate_phone,
    validate_uscc,
)

# Published sample numbers whose check characters are known to be right.
VALID_IDS = ["11010519491231002X", "440524188001010014", "430102199003077150"]


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_id_numbers_pass(value):
    validate_id_number(value)


def test_lowercase_x_is_accepted():
    validate_id_number("11010519491231002x")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", ERR_ID_CHECKSUM),  # last char should be X
        ("440524188001010015", ERR_ID_CHECKSUM),
        ("11010519491331002X", ERR_ID_BIRTH_DATE),  # month 13
        ("11010520991231002X", ERR_ID_BIRTH_DATE),  # in the future
        ("1101051949123100", ERR_ID_FORMAT),  # too short
        ("01010519491231002X", ERR_ID_FORMAT),  # region cannot start with 0
        ("11010519491231002Y", ERR_ID_FORMAT),
    ],
)
def test_invalid_id_numbers_are_rejected_with_their_code(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value)
    assert excinfo.value.code == code


@pytest.fixture
def server_on_utc():
    """A server whose own clock keeps UTC (the process's local time zone), as many do."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = before
    time.tzset()


def _born(day: datetime.date) -> str:
    first17 = f"430102{day:%Y%m%d}123"
    return first17 + id_number_check_char(first17)


def test_birth_date_check_uses_todays_date_in_shanghai_not_the_servers(server_on_utc):
    newborn = _born(datetime.date(2026, 3, 2))
    # 16:30 UTC on 1 March is 00:30 on 2 March in Louxing: a child born tonight is registered.
    with time_machine.travel(datetime.datetime(2026, 3, 1, 16, 30, tzinfo=datetime.UTC), tick=False):
        validate_id_number(newborn)
    # 15:30 UTC is still 23:30 on 1 March there: a birth date of 2 March is in the future.
    before_midnight = datetime.datetime(2026, 3, 1, 15, 30, tzinfo=datetime.UTC)
    with time_machine.travel(before_midnight, tick=False), pytest.raises(ValidationError) as excinfo:
        validate_id_number(newborn)
    assert excinfo.value.code == ERR_ID_BIRTH_DATE


def test_sex_and_birth_date_are_derived_from_id_number():
    assert id_number_birth_date("11010519491231002X") == datetime.date(1949, 12, 31)
    assert id_number_sex("11010519491231002X") == "F"  # 17th digit 2: even
    assert id_number_sex("440524188001010014") == "M"  # 17th digit 1: odd


@pytest.mark.parametrize("value", ["13812345678", "19912345678", "0738-8312345", "07388312345", "010-12345678"])
def test_valid_phones_pass(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "8312345", "abc"])
def test_invalid_phones_are_rejected(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_phone(value)
    assert excinfo.value.code == ERR_PHONE


def test_uscc_check_character():
    validate_uscc("91350100M000100Y43")
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc("91350100M000100Y44")
    assert excinfo.value.code == ERR_USCC_CHECKSUM


def test_masks_keep_region_and_last_four():
    assert mask_id_number("43010219900307715X") == "430102********715X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == ""
