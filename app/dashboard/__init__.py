"""The dashboard: static pages on the public API, served by the app itself.

Nothing is built and nothing is fetched from another host: the page's modules and the charting
library (ECharts, vendored under static/vendor with its licence) are files of this package, so
the dashboard works offline and doubles as an example of a front end on the API.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
DASHBOARD_PATH = "/dashboard"


def mount_dashboard(app: FastAPI) -> None:
    app.mount(DASHBOARD_PATH, StaticFiles(directory=STATIC, html=True), name="dashboard")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(DASHBOARD_PATH + "/", status_code=307)
