import datetime as dt

import pytest
import time_machine

TODAY = dt.date(2016, 11, 14)


@pytest.fixture
def frozen():
    """Freeze the clock at noon on 14 November 2016 (the Essex inspection's count date)."""
    with time_machine.travel(dt.datetime(2016, 11, 14, 12, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY
