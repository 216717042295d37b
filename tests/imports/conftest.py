import datetime as dt
from pathlib import Path

import pytest
import time_machine

from caseload.imports.services import import_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ESSEX = FIXTURES / "essex_2017"
REGISTER_HEADER = "reference,surname,forenames,date_of_birth,risk_tier,officer,status,registered_on"


@pytest.fixture
def as_of_essex():
    """The Essex inspection's day, 14 November 2016, in the morning."""
    with time_machine.travel(dt.datetime(2016, 11, 14, 9, 0, tzinfo=dt.UTC), tick=False):
        yield dt.date(2016, 11, 14)


@pytest.fixture
def write(tmp_path):
    """Write an import file; text is dedented lines, bytes are written as they are."""

    def write(text: str | bytes, name: str = "file.csv") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text("\n".join(line.strip() for line in text.strip().splitlines()) + "\n", encoding="utf-8")
        return path

    return write


def load(kind: str, path: Path, **options):
    return import_file(kind=kind, path=path, **options)


def errors_of(run) -> list[tuple]:
    return [(e["row"], e["column"], e["value"]) for e in run.report["errors"]]
