import logging

from governance.logging import MaskPersonalDataFilter, scrub


def test_scrub_masks_id_numbers_and_mobiles_in_text():
    text = "找到 430102199003077150 电话 13812345678 户号 H431302001"
    assert scrub(text) == "找到 430102********7150 电话 138****5678 户号 H431302001"


def test_log_records_never_carry_personal_data(caplog):
    logger = logging.getLogger("governance.test")
    logger.addFilter(MaskPersonalDataFilter())
    try:
        with caplog.at_level(logging.INFO, logger="governance.test"):
            logger.info("lookup id=%s phone=%s", "11010519491231002X", "13912345678")
    finally:
        logger.filters.clear()
    assert caplog.messages == ["lookup id=110105********002X phone=139****5678"]


def test_the_console_handler_is_configured_with_the_filter(settings):
    assert "mask_personal_data" in settings.LOGGING["handlers"]["console"]["filters"]
