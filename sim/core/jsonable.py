"""JSON-safe values: NaN and infinities become null, numpy scalars Python ones."""

from __future__ import annotations

from typing import Any

import numpy as np


def json_clean(obj: Any) -> Any:
    """Make an object JSON-safe: NaN and infinities become None, numpy scalars Python ones."""
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): json_clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        return json_clean(obj.item())
    return obj
