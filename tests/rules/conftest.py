"""The agreement tests' clock: noon on 14 November 2016, the Essex inspection's count date."""

import datetime as dt

import pytest
import time_machine

TODAY = dt.date(2016, 11, 14)


@pytest.fixture(autouse=True)
def frozen(db):
    with time_machine.travel(dt.datetime(2016, 11, 14, 12, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def bob_by_mail(bob):
    """Bob, who supervises North, with an address for the digest."""
    bob.email = "bob@example.org"
    bob.save()
    return bob


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)
