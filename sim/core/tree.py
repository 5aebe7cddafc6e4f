"""Nested dicts (parameters, TOML tables) addressed by dotted paths."""

from __future__ import annotations

from typing import Any


def get_dotted(tree: dict[str, Any], path: str) -> Any:
    """``tree["a"]["b"]`` for ``"a.b"``; None where a part is missing."""
    node: Any = tree
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
