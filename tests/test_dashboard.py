"""The dashboard is served by the app itself: `/` opens it, and every file the page loads is
one of ours, so it works offline with no build step and no CDN."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib

from fastapi.testclient import TestClient

from app.dashboard import STATIC
from tests.conftest import REPO

ECHARTS = STATIC / "vendor" / "echarts-6.1.0"


def test_root_redirects_to_the_dashboard(client: TestClient) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["location"] == "/dashboard/"
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>gkstats" in page.text


def test_every_asset_the_page_loads_is_served_here(client: TestClient) -> None:
    page = client.get("/dashboard/").text
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "vendor/echarts-6.1.0/echarts.common.min.js" in references
    for reference in references:
        assert not re.match(r"^(https?:)?//", reference), reference
        if reference.startswith("/docs"):
            continue
        url = reference if reference.startswith("/") else "/dashboard/" + reference
        assert client.get(url).status_code == 200, url


def test_every_module_import_resolves(client: TestClient) -> None:
    modules = sorted((STATIC / "js").rglob("*.js"))
    assert modules
    for module in modules:
        source = module.read_text(encoding="utf-8")
        for imported in re.findall(r'from "(\.[^"]+)"', source):
            target = (module.parent / imported).resolve()
            assert target.is_file(), f"{module.name} imports {imported}"
            served = client.get("/dashboard/" + str(target.relative_to(STATIC)))
            assert served.status_code == 200
            assert "javascript" in served.headers["content-type"]


def test_every_module_is_preloaded(client: TestClient) -> None:
    """The page asks for all its modules at once instead of one level of imports at a time."""
    page = client.get("/dashboard/").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', page))
    modules = {str(m.relative_to(STATIC)) for m in (STATIC / "js").rglob("*.js")}
    assert preloaded == modules


def test_echarts_is_vendored_with_its_licence_and_version() -> None:
    recorded = json.loads((ECHARTS / "VERSION.json").read_text(encoding="utf-8"))
    assert recorded["name"] == "echarts"
    assert recorded["license"] == "Apache-2.0"
    assert "Apache License" in (ECHARTS / "LICENSE").read_text(encoding="utf-8")
    assert (ECHARTS / "NOTICE").is_file()
    library = (ECHARTS / "echarts.common.min.js").read_text(encoding="utf-8")
    digest = hashlib.sha256(library.encode()).hexdigest()
    assert digest == recorded["sha256"]["echarts.common.min.js"]
    assert f'version:"{recorded["version"]}"' in library


def test_the_library_is_cached_for_good_and_the_page_revalidated(client: TestClient) -> None:
    library = client.get("/dashboard/vendor/echarts-6.1.0/echarts.common.min.js")
    assert library.headers["cache-control"] == "public, max-age=31536000, immutable"
    for path in ("/dashboard/", "/dashboard/js/main.js", "/dashboard/dashboard.css"):
        answer = client.get(path)
        assert answer.headers["cache-control"] == "no-cache", path
        again = client.get(path, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304, path


def test_every_file_of_the_page_is_package_data() -> None:
    """An installed gkstats (the Docker image) serves the page only if the wheel carries it."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["app.dashboard"]
    package = STATIC.parent
    carried = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    present = {path for path in STATIC.rglob("*") if path.is_file()}
    assert present - carried == set()
