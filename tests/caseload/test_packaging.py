"""`pip install .` gives a working install: the wheel holds every app (with its migrations and commands) and the
project's templates and static files, and Django runs from it outside the checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("caseload", "offenders", "visits", "notifications", "supervision", "availability")
RUN_INSTALLED = """
import django
django.setup()
import caseload
from django.core.management import call_command
from django.template.loader import get_template
from django.contrib.staticfiles import finders
print(caseload.__file__)
print(get_template("base.html").origin.name)
print(finders.find("caseload.css"))
call_command("check")
"""


def test_the_wheel_installs_and_django_runs_from_it_outside_the_checkout(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    "-w", str(tmp_path / "wheel")], check=True, cwd=tmp_path)
    (wheel,) = (tmp_path / "wheel").glob("caseload-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} >= {*APPS, "templates", "static"}
    assert not [name for name in names if name.startswith(("tests/", "bench/"))]
    for app in ("caseload", "offenders", "visits", "notifications", "supervision"):  # the apps with models
        assert any(name.startswith(f"{app}/migrations/0001_") for name in names), app
    assert "caseload/management/commands/import_absences.py" in names
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True)
    env = {"PYTHONPATH": str(site), "DJANGO_SETTINGS_MODULE": "caseload.settings", "SECRET_KEY": "packaging-test",
           "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", RUN_INSTALLED], cwd=tmp_path, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith(str(site)) for line in lines[:3]), lines
