"""docs/openapi.yaml is a valid OpenAPI document and matches the routes the server really serves."""
import urllib.error
import urllib.request

import yaml
from openapi_spec_validator import validate

from conftest import ROOT


def load_spec():
    return yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())


def test_spec_is_valid_openapi():
    validate(load_spec())


def test_every_documented_route_exists(gateway):
    spec = load_spec()
    for path, operations in spec["paths"].items():
        concrete = path.replace("{id}", "ticket-triage")
        for method in operations:
            request = urllib.request.Request(gateway["base"] + concrete, method=method.upper(), data=b"{}" if method == "post" else None,
                                             headers={"Authorization": "Bearer " + gateway["key"], "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
                body = error.read().decode()
                assert '"code":"not_found"' not in body, f"{method.upper()} {path} is documented but not served"
            assert status != 405, f"{method.upper()} {path} is documented but the method is not served"
            assert str(status) in operations[method]["responses"] or status == 200, f"{method.upper()} {path} answered {status}, not documented"


def test_undocumented_paths_are_404(gateway):
    try:
        urllib.request.urlopen(gateway["base"] + "/v1/not-a-route")
        raise AssertionError("expected 404")
    except urllib.error.HTTPError as error:
        assert error.code == 404
