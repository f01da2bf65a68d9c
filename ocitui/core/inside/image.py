"""An image config as tables: its run settings, environment, labels and build history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ocitui.core.views_text import argv_text


@dataclass(frozen=True)
class HistoryRow:
    """One build step: when, what created it, and whether it added a layer."""

    created: str
    created_by: str
    empty_layer: bool
    comment: str


@dataclass(frozen=True)
class ConfigView:
    """The parts of an image config people read, in order."""

    settings: tuple[tuple[str, str], ...]
    env: tuple[tuple[str, str], ...]
    labels: tuple[tuple[str, str], ...]
    history: tuple[HistoryRow, ...]


def config_view(config: dict[str, Any]) -> ConfigView:
    """Read an OCI or Docker image config (missing parts are empty, never an error)."""
    run = config.get("config") if isinstance(config.get("config"), dict) else {}
    run = run or {}
    settings: list[tuple[str, str]] = []
    parts = (config.get("os"), config.get("architecture"), config.get("variant"))
    platform = "/".join(str(p) for p in parts if p)
    created = str(config.get("created") or "")
    for key, value in (
        ("platform", platform),
        ("built", "" if created.startswith("0001-01-01") else created),
        ("author", str(config.get("author") or "")),
        ("entrypoint", argv_text(run.get("Entrypoint"))),
        ("cmd", argv_text(run.get("Cmd"))),
        ("user", str(run.get("User") or "")),
        ("workdir", str(run.get("WorkingDir") or "")),
        ("ports", ", ".join(sorted((run.get("ExposedPorts") or {}).keys()))),
        ("volumes", ", ".join(sorted((run.get("Volumes") or {}).keys()))),
        ("stop signal", str(run.get("StopSignal") or "")),
    ):
        if value:
            settings.append((key, value))
    env = []
    for item in run.get("Env") or []:
        name, _, value = str(item).partition("=")
        env.append((name, value))
    labels = sorted((str(k), str(v)) for k, v in (run.get("Labels") or {}).items())
    history = tuple(
        HistoryRow(
            str(step.get("created") or ""),
            str(step.get("created_by") or ""),
            bool(step.get("empty_layer")),
            str(step.get("comment") or ""),
        )
        for step in config.get("history") or []
        if isinstance(step, dict)
    )
    return ConfigView(tuple(settings), tuple(env), tuple(labels), history)


__all__ = ["ConfigView", "HistoryRow", "config_view"]
