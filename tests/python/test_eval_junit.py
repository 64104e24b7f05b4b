"""`gatehouse eval --junit` output validates against the common JUnit schema (Jenkins' junit-10.xsd).

The schema is not committed: it is taken from the pytest source distribution on PyPI, which ships it
for pytest's own JUnit tests, and cached outside the repository."""
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import xmlschema

from conftest import BINARY, ROOT

PYTEST_SDIST = "pytest==8.3.3"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gatehouse-tests"


@pytest.fixture(scope="module")
def junit_schema():
    xsd = CACHE / "junit-10.xsd"
    if not xsd.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--no-binary", ":all:", PYTEST_SDIST, "-d", str(CACHE)], check=True)
        archive = next(CACHE.glob("pytest-*.tar.gz"))
        with tarfile.open(archive) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("testing/example_scripts/junit-10.xsd"))
            xsd.write_bytes(tar.extractfile(member).read())
    return xmlschema.XMLSchema(str(xsd))


@pytest.fixture()
def demo(tmp_path):
    config = tmp_path / "demo"
    shutil.copytree(ROOT / "examples", config)
    yaml = (config / "gatehouse.yaml").read_text()
    yaml = yaml.replace("data_dir: ../.gatehouse/demo", "data_dir: data").replace("../datasets/", f"{ROOT}/datasets/")
    (config / "gatehouse.yaml").write_text(yaml)
    return config


def run_eval(config, *arguments):
    assert BINARY.exists(), f"build first: {BINARY} is missing"
    return subprocess.run([str(BINARY), "eval", "ticket-triage", "--config", str(config), *arguments],
                          capture_output=True, text=True, timeout=300)


def test_passing_and_failing_reports_are_valid_junit(junit_schema, demo, tmp_path):
    passing = tmp_path / "pass.xml"
    result = run_eval(demo, "--junit", str(passing))
    assert result.returncode == 0, result.stdout + result.stderr
    junit_schema.validate(str(passing))

    failing = tmp_path / "fail.xml"
    result = run_eval(demo, "--variant", "local-baseline", "--junit", str(failing))
    assert result.returncode == 1, result.stdout + result.stderr
    junit_schema.validate(str(failing))
    report = junit_schema.to_dict(str(failing))
    suite = report["testsuite"][0]
    cases = suite["testcase"]
    assert len(cases) == int(suite["@tests"]) >= 1
    failed = [case for case in cases if "failure" in case]
    assert len(failed) == int(suite["@failures"]) >= 1
    # Each failed gate names its metric and value.
    assert all(re.match(r"^\w+ = [0-9.]+$", case["failure"][0]["@message"]) for case in failed)


def test_the_schema_rejects_a_broken_report(junit_schema, tmp_path):
    """The check can fail: a test case outside a suite is not valid JUnit."""
    broken = tmp_path / "broken.xml"
    broken.write_text('<?xml version="1.0"?><testsuites><testcase name="x"/></testsuites>')
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit_schema.validate(str(broken))
