import datetime as dt

import pytest
import time_machine

from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2016, 11, 14, 9, tzinfo=dt.UTC))
def test_the_offender_page_shows_the_open_flags_in_words(client, charlie):
    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("high"))
    VisitFactory(offender=offender, due_on=dt.date(2016, 10, 1))
    flags_refresh(as_of=dt.date(2016, 11, 14))
    client.force_login(charlie)
    page = client.get(f"/visits/offenders/{offender.pk}/").content.decode()
    assert "Open flags" in page
    assert "Overdue visit" in page and "severity" in page


def test_an_offender_without_flags_shows_no_flag_section(client, charlie):
    offender = OffenderFactory(officer=charlie.officer)
    client.force_login(charlie)
    assert "Open flags" not in client.get(f"/visits/offenders/{offender.pk}/").content.decode()
