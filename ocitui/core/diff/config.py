"""Image config diff: the fields an operator reads, not only JSON paths.

Docker v2 (``application/vnd.docker.container.image.v1+json``) and OCI configs share the
layout of the fields compared here. Whatever is not covered by a named field is still
reported, as JSON path changes in ``other``, so nothing is ignored silently.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass
from typing import Any

from ocitui.core.diff.data import DiffData, JsonChange, KeyedChange, json_changes, keyed_changes
from ocitui.core.models import Descriptor

# (label shown, location): top-level or inside the "config" object.
_TOP_FIELDS = ("os", "architecture", "variant", "os.version", "created", "author")
_RUN_FIELDS = {
    "User": "user",
    "WorkingDir": "workdir",
    "Entrypoint": "entrypoint",
    "Cmd": "cmd",
    "StopSignal": "stop_signal",
}
_RUN_COVERED = ("Env", "Labels", "ExposedPorts", "Volumes", *_RUN_FIELDS)


@dataclass(frozen=True)
class ValueChange(DiffData):
    """A named config field whose value differs (``None`` when absent)."""

    field: str
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class SetChange(DiffData):
    """Members added to and removed from a set-like field (exposed ports, volumes)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """How many members differ."""
        return len(self.added) + len(self.removed)


@dataclass(frozen=True)
class HistoryChange(DiffData):
    """A history entry added, removed, or kept with other details (``created`` …)."""

    kind: str
    index_a: int | None
    index_b: int | None
    created_by: str
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None


@dataclass(frozen=True)
class ConfigDiff(DiffData):
    """Differences between two configs. ``image`` is False when either is not an image config."""

    digest_a: str
    digest_b: str
    media_type_a: str
    media_type_b: str
    image: bool
    fields: tuple[ValueChange, ...] = ()
    env: tuple[KeyedChange, ...] = ()
    labels: tuple[KeyedChange, ...] = ()
    exposed_ports: SetChange = SetChange()
    volumes: SetChange = SetChange()
    history: tuple[HistoryChange, ...] = ()
    diff_ids: SetChange = SetChange()
    other: tuple[JsonChange, ...] = ()

    @property
    def count(self) -> int:
        """How many differences in all."""
        return (
            len(self.fields)
            + len(self.env)
            + len(self.labels)
            + self.exposed_ports.count
            + self.volumes.count
            + len(self.history)
            + self.diff_ids.count
            + len(self.other)
        )


def env_map(env: object) -> dict[str, str]:
    """``["A=1", "B=2"]`` -> ``{"A": "1", "B": "2"}`` (last one wins, like a runtime)."""
    out: dict[str, str] = {}
    if isinstance(env, list):
        for item in env:
            if isinstance(item, str):
                key, _, value = item.partition("=")
                out[key] = value
    return out


def _str_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def _keys(value: object) -> set[str]:
    return {str(k) for k in value} if isinstance(value, dict) else set()


def _set_change(a: object, b: object) -> SetChange:
    ka, kb = _keys(a), _keys(b)
    return SetChange(tuple(sorted(kb - ka)), tuple(sorted(ka - kb)))


def _history_key(entry: object) -> str:
    # Rebuilds change every "created" stamp; match entries on what they did.
    if not isinstance(entry, dict):
        return json.dumps(entry, sort_keys=True)
    return json.dumps({k: v for k, v in entry.items() if k != "created"}, sort_keys=True)


def _created_by(entry: object) -> str:
    if isinstance(entry, dict):
        return str(entry.get("created_by") or entry.get("comment") or "")
    return ""


def diff_history(a: list[Any], b: list[Any]) -> list[HistoryChange]:
    """History entries added/removed (aligned like ``diff``), and matched ones that changed."""
    out: list[HistoryChange] = []
    matcher = difflib.SequenceMatcher(
        a=[_history_key(e) for e in a], b=[_history_key(e) for e in b], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                if a[i] != b[j]:
                    out.append(HistoryChange("changed", i, j, _created_by(a[i]), a[i], b[j]))
            continue
        out.extend(
            HistoryChange("removed", i, None, _created_by(a[i]), old=a[i]) for i in range(i1, i2)
        )
        out.extend(
            HistoryChange("added", None, j, _created_by(b[j]), new=b[j]) for j in range(j1, j2)
        )
    return out


def _diff_ids(doc: dict[str, Any]) -> list[str]:
    rootfs = doc.get("rootfs")
    ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    return [str(i) for i in ids] if isinstance(ids, list) else []


def _rest(doc: dict[str, Any]) -> dict[str, Any]:
    """The config minus the fields compared by name (for the ``other`` JSON diff)."""
    rest = copy.deepcopy(doc)
    for key in (*_TOP_FIELDS, "history"):
        rest.pop(key, None)
    run = rest.get("config")
    if isinstance(run, dict):
        for key in _RUN_COVERED:
            run.pop(key, None)
    rootfs = rest.get("rootfs")
    if isinstance(rootfs, dict):
        rootfs.pop("diff_ids", None)
    return rest


def compare_config_docs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """The named-field comparison of two parsed image configs, as ConfigDiff keyword args."""
    run_a = a.get("config") if isinstance(a.get("config"), dict) else {}
    run_b = b.get("config") if isinstance(b.get("config"), dict) else {}
    assert isinstance(run_a, dict) and isinstance(run_b, dict)
    fields = [ValueChange(f, a.get(f), b.get(f)) for f in _TOP_FIELDS if a.get(f) != b.get(f)]
    fields += [
        ValueChange(label, run_a.get(key), run_b.get(key))
        for key, label in _RUN_FIELDS.items()
        if run_a.get(key) != run_b.get(key)
    ]
    ids_a, ids_b = _diff_ids(a), _diff_ids(b)
    history_a, history_b = a.get("history"), b.get("history")
    return {
        "fields": tuple(fields),
        "env": tuple(keyed_changes(env_map(run_a.get("Env")), env_map(run_b.get("Env")))),
        "labels": tuple(
            keyed_changes(_str_map(run_a.get("Labels")), _str_map(run_b.get("Labels")))
        ),
        "exposed_ports": _set_change(run_a.get("ExposedPorts"), run_b.get("ExposedPorts")),
        "volumes": _set_change(run_a.get("Volumes"), run_b.get("Volumes")),
        "history": tuple(
            diff_history(
                history_a if isinstance(history_a, list) else [],
                history_b if isinstance(history_b, list) else [],
            )
        ),
        "diff_ids": SetChange(
            tuple(i for i in ids_b if i not in set(ids_a)),
            tuple(i for i in ids_a if i not in set(ids_b)),
        ),
        "other": tuple(json_changes(_rest(a), _rest(b))),
    }


def diff_configs(
    desc_a: Descriptor,
    doc_a: dict[str, Any] | None,
    desc_b: Descriptor,
    doc_b: dict[str, Any] | None,
) -> ConfigDiff:
    """Compare two configs given their descriptors and parsed documents.

    A document is ``None`` when its descriptor is not an image config (see
    :func:`ocitui.core.diff.store.load_config`); such configs are compared by digest only.
    """
    base: dict[str, Any] = {
        "digest_a": str(desc_a.digest),
        "digest_b": str(desc_b.digest),
        "media_type_a": desc_a.media_type,
        "media_type_b": desc_b.media_type,
    }
    fields: tuple[ValueChange, ...] = ()
    if desc_a.media_type != desc_b.media_type:
        fields += (ValueChange("mediaType", desc_a.media_type, desc_b.media_type),)
    if doc_a is None or doc_b is None:
        # Artifact configs are opaque blobs: all we can say is that they differ.
        if desc_a.digest != desc_b.digest:
            fields += (ValueChange("digest", str(desc_a.digest), str(desc_b.digest)),)
        return ConfigDiff(**base, image=False, fields=fields)
    if desc_a.digest == desc_b.digest:
        return ConfigDiff(**base, image=True, fields=fields)
    parts = compare_config_docs(doc_a, doc_b)
    parts["fields"] = (*fields, *parts["fields"])
    return ConfigDiff(**base, image=True, **parts)
