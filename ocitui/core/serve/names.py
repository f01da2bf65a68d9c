"""Which repository names and tags a served layout answers to.

The layout names images by full reference (``registry.example.com/demo/app:1.0``); a
registry serving it answers to repository paths. The rules, in order:

1. **Short path.** Every tagged entry is served under its repository path without the
   registry host: ``registry.example.com/demo/app:1.0`` is ``demo/app:1.0``.
2. **Host-qualified path.** It is also served under ``<host>/<path>``
   (``registry.example.com/demo/app``), the port's colon written as ``_``
   (``localhost:5000/x`` is ``localhost_5000/x``), so nothing is ever out of reach.
3. **Mirror requests name their registry.** A request with the ``ns`` query parameter
   (containerd adds ``?ns=<registry>`` to every request it sends to a mirror; the
   distribution spec's registry proxying) is answered from that registry's repository
   only, so one ``ocitui serve`` can mirror several registries at once.
4. **Two registries, one path.** Without ``ns``, when several registries hold the same
   path, the short path belongs to the first host in the ``prefer`` list that holds it;
   otherwise the short path is not served (it is reported as ambiguous) and only the
   host-qualified paths are.
5. **Bare tags.** Entries whose name is a bare tag (``1.0``, written by skopeo or umoci
   into a layout of their own) are served as tags of one repository, ``bare_repo``.

Entries named only by digest (``repo@sha256:...``) and untagged entries have no tag; they
are served by digest only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ocitui.core.errors import InvalidReference
from ocitui.core.layout.refs import is_short_tag
from ocitui.core.models import Descriptor
from ocitui.core.reference import parse_reference

_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
#: The distribution spec's repository name grammar.
NAME_RE = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*", re.ASCII)
DEFAULT_BARE_REPO = "layout"
DEFAULT_PUSH_REGISTRY = "localhost"


def qualified(host: str, path: str) -> str:
    """The host-qualified served name of ``host/path`` (a port's ``:`` becomes ``_``)."""
    return f"{host.replace(':', '_')}/{path}"


@dataclass
class NameMap:
    """Served repository -> tag -> layout entry, for one state of ``index.json``."""

    repos: dict[str, dict[str, Descriptor]] = field(default_factory=dict)
    #: Short path -> registry host -> tag -> entry (every registry holding the path).
    by_host: dict[str, dict[str, dict[str, Descriptor]]] = field(default_factory=dict)
    #: Served name -> the registry host it stands for (None for the bare-tag repository).
    hosts: dict[str, str | None] = field(default_factory=dict)
    #: Short paths held by several registries and not settled by ``prefer``.
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    bare_repo: str = DEFAULT_BARE_REPO

    @classmethod
    def build(
        cls,
        entries: Iterable[Descriptor],
        *,
        bare_repo: str = DEFAULT_BARE_REPO,
        prefer: Sequence[str] = (),
    ) -> NameMap:
        """Apply the module's rules to the layout ``entries``."""
        out = cls(bare_repo=bare_repo)
        by_host: dict[str, dict[str, dict[str, Descriptor]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        for entry in entries:
            name = entry.ref_name
            if not name:
                continue
            if is_short_tag(name):
                out.repos.setdefault(bare_repo, {})[name] = entry
                out.hosts[bare_repo] = None
                continue
            try:
                ref = parse_reference(name, default_tag=None)
            except InvalidReference:
                continue  # fsck reports names it cannot read; serving skips them.
            if ref.tag is None or ref.digest is not None:
                continue
            by_host[ref.repository][ref.registry][ref.tag] = entry
        for path, hosts in by_host.items():
            for host, tags in hosts.items():
                name = qualified(host, path)
                out.repos.setdefault(name, {}).update(tags)
                out.hosts.setdefault(name, host)
            chosen = _choose(sorted(hosts), prefer)
            if chosen is None:
                out.ambiguous[path] = sorted(qualified(h, path) for h in hosts)
                continue
            # A short path wins over a host-qualified name that happens to be equal.
            out.repos[path] = dict(hosts[chosen])
            out.hosts[path] = chosen
        out.by_host = {path: dict(hosts) for path, hosts in by_host.items()}
        return out

    def tags(self, repo: str, ns: str | None = None) -> dict[str, Descriptor] | None:
        """The tags of served ``repo``, or None if unknown.

        ``ns`` (the upstream registry a mirror request is for) picks that registry's
        repository and only that one: a mirror must not answer for another registry.
        """
        if ns:
            return self.by_host.get(repo, {}).get(_normalise_host(ns))
        return self.repos.get(repo)

    def host_for_push(self, repo: str, ns: str | None, default: str) -> str | None:
        """The registry host a push to ``repo`` is recorded under (None: not allowed).

        Known names keep their host; a new name whose first component has a dot is taken
        as host-qualified; anything else goes under ``default``.
        """
        if ns and _normalise_host(ns) in self.by_host.get(repo, {}):
            return _normalise_host(ns)
        if repo in self.hosts:
            return self.hosts[repo]
        if repo in self.ambiguous:
            return None
        first, sep, _ = repo.partition("/")
        return first if sep and "." in first else default

    def full_name(self, repo: str, host: str, tag: str) -> str:
        """The layout ``ref.name`` of ``repo:tag`` served for ``host``."""
        prefix = qualified(host, "")
        path = repo[len(prefix) :] if repo.startswith(prefix) else repo
        return f"{host}/{path}:{tag}"

    def catalog(self) -> list[str]:
        """Every served repository name, sorted."""
        return sorted(self.repos)


def _choose(hosts: Sequence[str], prefer: Sequence[str]) -> str | None:
    if len(hosts) == 1:
        return hosts[0]
    for host in prefer:
        if _normalise_host(host) in hosts:
            return _normalise_host(host)
    return None


def _normalise_host(host: str) -> str:
    """containerd names Docker Hub ``docker.io``; so does the layout."""
    host = host.strip().lower()
    return "docker.io" if host in ("index.docker.io", "registry-1.docker.io") else host
