"""The audit trail: every insert, update and delete of a register row is copied into its event
table by a database trigger (django-pghistory), with the request's user and URL when there is
one. Event tables are append-only (``PGHISTORY_APPEND_ONLY``)."""

from __future__ import annotations

import pghistory


def audited(**kwargs):
    """``@audited()`` on a model: track inserts, updates and deletes. Trackers bind to one model,
    so each call makes fresh ones. Keyword arguments go to ``pghistory.track`` (``exclude``,
    ``model_name``, ``obj_field``…)."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs)


def audited_links(**kwargs):
    """``@audited_links()`` on a proxy of a many-to-many through table (``class ClueSubjects(
    Clue.subjects.through): class Meta: proxy = True``): every link added or removed is an event, so a
    land transfer's plots or a meeting's attendees never change without a trace. [django-pghistory,
    "Tracking many-to-many events"]"""
    return pghistory.track(pghistory.InsertEvent("add"), pghistory.DeleteEvent("remove"), obj_field=None, **kwargs)
