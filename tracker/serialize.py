"""Plain JSON for read models: dates as ISO 8601, tuples as lists, keys in a stable order."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

NOT_IN_JSON: Mapping[str, bool] = MappingProxyType({"json": False})
"""Field metadata for what one database alone knows (when an entry reached it): left out of
JSON output, which is the same from every database holding the same log."""


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.metadata.get("json", True)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, indent=2, sort_keys=False)
