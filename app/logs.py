"""Logging for `gkstats serve`: uvicorn's own lines, and the app's warnings beside them.

The app's loggers (`app.*`) get a handler of their own with a timestamp and the level, so a
database outage, a refused request or an unexpected error is a line in the server log.
"""

from __future__ import annotations

import copy
from typing import Any

from uvicorn.config import LOGGING_CONFIG

LOGGING: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
LOGGING["formatters"]["app"] = {
    "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
}
LOGGING["handlers"]["app"] = {
    "formatter": "app",
    "class": "logging.StreamHandler",
    "stream": "ext://sys.stderr",
}
LOGGING["loggers"]["app"] = {"handlers": ["app"], "level": "INFO", "propagate": False}
