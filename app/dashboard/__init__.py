"""The dashboard: static pages on the public API, served by the app itself.

Nothing is built and nothing is fetched from another host: the page's modules and the charting
library (ECharts, vendored under static/vendor with its licence) are files of this package, so
the dashboard works offline and doubles as an example of a front end on the API.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.caching import IMMUTABLE

STATIC = Path(__file__).parent / "static"
VENDOR = STATIC / "vendor"
DASHBOARD_PATH = "/dashboard"
# The page and its modules change with each release of gkstats: revalidated on every load
# (a 304 when unchanged). A vendored library's folder names its version, so its files never
# change under the same URL.
PAGE_CACHE_CONTROL = "no-cache"


class DashboardFiles(StaticFiles):
    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        vendored = Path(full_path).is_relative_to(VENDOR)
        response.headers["Cache-Control"] = IMMUTABLE if vendored else PAGE_CACHE_CONTROL
        return response


def mount_dashboard(app: FastAPI) -> None:
    app.mount(DASHBOARD_PATH, DashboardFiles(directory=STATIC, html=True), name="dashboard")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(DASHBOARD_PATH + "/", status_code=307)
