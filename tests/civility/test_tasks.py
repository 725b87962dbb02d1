"""The ranking's watchdog re-sends a month left unfinished, and only such a month."""

import pytest

from civility.tasks import _last_month, ranking_compute_task, ranking_watchdog_task
from governance.tasking import send_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    calls = []

    def record(task, *args, options=None, **kwargs):
        calls.append((task.name, options))
        return send_now(task, *args, options=options, **kwargs)  # eager in tests: runs the ranking

    monkeypatch.setattr("civility.tasks.send_now", record)
    return calls


def test_watchdog_resends_an_unfinished_ranking_once(divisions, sent):
    month = f"{_last_month():%Y-%m}"
    assert ranking_watchdog_task.apply().get() == {"month": month, "resent": True}
    assert sent == [("civility.ranking_compute", {"expires": 15 * 60})]
    # The re-sent run finished: the next watchdog run leaves it alone.
    assert ranking_watchdog_task.apply().get() == {"month": month, "resent": False}
    assert len(sent) == 1


def test_watchdog_leaves_a_finished_ranking_alone(divisions, sent):
    ranking_compute_task.apply()
    assert ranking_watchdog_task.apply().get()["resent"] is False
    assert sent == []
