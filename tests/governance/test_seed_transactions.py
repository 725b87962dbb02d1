"""seed_demo's transactions check foreign keys per statement (``SET CONSTRAINTS ALL IMMEDIATE``):
the same checks, without a queue of deferred ones that every audit trigger's rolled-back
subtransaction would scan (see ``seed_demo._constraints_immediate``)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from civility.models import PointEntry
from civility.services.ledger import ledger_verify
from governance.management.commands.seed_demo import _constraints_immediate
from governance.models import Household, Person

DANGLING = "INSERT INTO governance_householdmember (household_id, person_id, relation) VALUES (%s, %s, 'head')"


@pytest.mark.django_db(transaction=True)
def test_a_dangling_key_fails_at_its_statement_under_the_seed_wrapper():
    reached_commit = False
    with connection.execute_wrapper(_constraints_immediate), pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(DANGLING, [10**12, 10**12])
        reached_commit = True
    assert reached_commit is False  # refused at the INSERT, not at COMMIT


@pytest.mark.django_db(transaction=True)
def test_without_the_wrapper_the_check_waits_for_commit():
    """The control: Django's keys are deferred, so the same INSERT passes until the commit."""
    reached_commit = False
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(DANGLING, [10**12, 10**12])
        reached_commit = True
    assert reached_commit is True


@pytest.mark.django_db(transaction=True)
def test_seed_demo_in_autocommit_writes_its_rows_with_their_audit_and_chains():
    """As ``make run`` runs it (no surrounding transaction): the rows, one audit event per person,
    and wallets whose hash chains verify."""
    call_command("seed_demo", households=30, stdout=StringIO())
    assert Household.objects.count() >= 30
    person_events = Person.events.rel.related_model.objects.filter(pgh_label="insert")
    assert person_events.count() == Person.objects.count()
    assert PointEntry.objects.exists()
    assert ledger_verify() == []
