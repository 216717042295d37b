"""What `./dev run` and `./dev test` do once the virtualenv is ready."""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from caseload import embedded

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def run(args: list[str]) -> int:
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("CASELOAD_REQUIRE_2FA", "0")  # the demo's personas sign in with a password only
    bind = os.environ.get("CASELOAD_BIND", "127.0.0.1:8000")
    with embedded.services():
        manage("migrate", "--noinput")
        manage("collectstatic", "--noinput", "-v0")
        manage("seed_demo", "--if-empty")
        manage("refresh_flags")  # today's flags before the first page, whenever the demo was last run
        commands = {
            "web": ["gunicorn", "caseload.wsgi", "--bind", bind, "--workers", "3", "--access-logfile", "-"],
            "worker": ["celery", "-A", "caseload", "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "beat": ["celery", "-A", "caseload", "beat", "--loglevel", "INFO",
                     "--schedule", str(embedded.data_dir() / "celerybeat-schedule")],
        }
        bin_dir = Path(PYTHON).parent
        processes = {
            name: subprocess.Popen([str(bin_dir / cmd[0]), *cmd[1:]], cwd=ROOT)
            for name, cmd in commands.items()
        }
        print(f"caseload: http://{bind}/  (Ctrl-C stops web, worker and beat)", flush=True)
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            failed = [name for name, p in processes.items() if p.poll() is not None]
            print(f"caseload: {', '.join(failed)} stopped; stopping the rest", flush=True)
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            for p in processes.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in processes.values():
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium; install it where we may."""
    if shutil.which("chromium") or os.environ.get("CASELOAD_CHROMIUM"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("caseload: installing Debian's chromium for the browser tests", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        print("caseload: chromium is missing; install it (apt-get install chromium) "
              "or point CASELOAD_CHROMIUM at a Chromium binary", flush=True)


LOCKS = ("requirements.lock", "requirements-dev.lock")


def audit() -> int:
    """The locked dependencies against the known vulnerabilities (pip-audit, PyPI's advisories): 1 when any has a
    fixed version to upgrade to, or when the audit could not be made."""
    locks = [arg for lock in LOCKS for arg in ("-r", lock)]
    result = subprocess.run([PYTHON, "-m", "pip_audit", *locks, "--require-hashes", "--disable-pip", "-f", "json",
                             "--progress-spinner", "off"], cwd=ROOT, capture_output=True, text=True)
    try:
        found = json.loads(result.stdout)["dependencies"]
    except (ValueError, KeyError):
        print(f"caseload: the dependency audit failed: {result.stderr.strip()}", flush=True)
        return 1
    fixable = [(d["name"], d["version"], v["id"], v["fix_versions"]) for d in found for v in d.get("vulns", [])
               if v.get("fix_versions")]
    for name, version, vuln, fixes in fixable:
        print(f"caseload: {name} {version} has {vuln}, fixed in {', '.join(fixes)}: upgrade it (README)", flush=True)
    unfixed = sum(1 for d in found for v in d.get("vulns", []) if not v.get("fix_versions"))
    print(f"caseload: dependency audit: {len(found)} locked packages, {len(fixable)} fixable known vulnerabilities"
          + (f", {unfixed} with no fix yet" if unfixed else ""), flush=True)
    return 1 if fixable else 0


def test(args: list[str]) -> int:
    # The test client speaks plain HTTP with DEBUG off; a key for this run only. Tests that need production's
    # settings (tests/security) start their own processes with them.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("CASELOAD_REQUIRE_2FA", "0")  # tests that need it turn it on themselves
    audited = audit()
    ensure_chromium()
    with embedded.services():
        lint = subprocess.run([PYTHON, "-m", "ruff", "check", "."], cwd=ROOT)
        tests = subprocess.run([PYTHON, "-m", "pytest", *args], cwd=ROOT)
    return tests.returncode or lint.returncode or audited


def main(command: str, args: list[str]) -> int:
    os.chdir(ROOT)
    if (ROOT / ".env").exists():
        import environ

        environ.Env.read_env(ROOT / ".env")  # set variables win over .env, as in settings
    return {"run": run, "test": test}[command](args)
