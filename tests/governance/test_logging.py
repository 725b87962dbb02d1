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


def test_a_refused_request_is_logged_once_even_with_debug_on(settings):
    """A trial under ``make run`` (DEBUG on) saw every 403 twice, once with a whole traceback: Django's
    default logging gives "django" its own console handler when DEBUG is on. Configured as the portal
    does, "django" has no handler of its own and its records go through the root's one-line filter."""
    import io
    import logging.config
    from unittest import mock

    from django.utils.log import DEFAULT_LOGGING

    before = logging.getLogger("django").handlers[:]
    stream = io.StringIO()
    settings.DEBUG = True
    try:
        with mock.patch("sys.stderr", stream):
            # Every console handler made now (Django's and ours) writes to ``stream``.
            logging.config.dictConfig(DEFAULT_LOGGING)
            logging.config.dictConfig(settings.LOGGING)
            try:
                raise PermissionError("refused")
            except PermissionError:
                logging.getLogger("django.request").warning(
                    "Forbidden (Permission denied): /x/", exc_info=True, extra={"status_code": 403}
                )
    finally:
        logging.config.dictConfig(settings.LOGGING)
        logging.getLogger("django").handlers[:] = before
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1 and "Forbidden" in lines[0] and "Traceback" not in stream.getvalue()
