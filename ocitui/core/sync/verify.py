"""After a sync: check that every referrer and name the plan promised is at the destination.

Referrers are re-listed at the destination (API, fallback tag, or ``index.json``) and each
referrer manifest is fetched back and its ``subject`` checked, so a listing that lies is
caught too (security rule 6).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.models import parse_document
from ocitui.core.reference import Reference
from ocitui.core.sync.plan import Plan, PlanManifest
from ocitui.core.target.base import Target


async def verify_destination(
    plan: Plan, dest: Target, failed: set[Digest], *, concurrency: int = 8
) -> tuple[int, list[str]]:
    """Return (referrers verified, problems). Items that failed to copy are not re-reported."""
    sem = asyncio.Semaphore(max(1, concurrency))
    problems: list[str] = []
    groups: dict[tuple[str, Digest], list[PlanManifest]] = defaultdict(list)
    repos: dict[str, Reference] = {}
    for item in plan.referrer_manifests():
        if item.role != "referrer" or item.subject is None or item.digest in failed:
            continue
        repo = item.dest_repo or item.source_repo
        assert repo is not None
        repos[repo.name] = repo
        groups[(repo.name, item.subject)].append(item)
    verified = 0

    async def check_group(repo: Reference, subject: Digest, items: list[PlanManifest]) -> None:
        nonlocal verified
        async with sem:
            try:
                listed = {d.digest for d in await dest.referrers(repo, subject)}
            except OcituiError as exc:
                problems.append(f"cannot list referrers of {subject} at the destination: {exc}")
                return
        for item in items:
            if item.digest not in listed:
                problems.append(
                    f"referrer {item.digest} of {subject} is not listed at the destination"
                )
                continue
            async with sem:
                try:
                    raw = await dest.fetch(repo, item.descriptor)
                    # Read back and verified against the digest: the very bytes the walk
                    # parsed, whose parse the plan carries (other bytes are parsed here).
                    same = raw == item.raw
                    doc = (
                        item.document() if same else parse_document(raw, item.descriptor.media_type)
                    )
                except OcituiError as exc:
                    problems.append(f"referrer {item.digest} cannot be read back: {exc}")
                    continue
            if doc.subject is None or doc.subject.digest != subject:
                problems.append(
                    f"referrer {item.digest} at the destination does not refer to {subject}"
                )
                continue
            verified += 1

    async def check_tag(repo: Reference, tag: str, name: str, expected: Digest) -> None:
        async with sem:
            try:
                entry = await dest.lookup_tag(repo, tag)
            except OcituiError as exc:
                problems.append(f"cannot check {name}: {exc}")
                return
        found = entry.digest if entry is not None else None
        if found != expected:
            problems.append(f"{name} points at {found or 'nothing'}, expected {expected}")

    await asyncio.gather(
        *(check_group(repos[name], subject, items) for (name, subject), items in groups.items()),
        *(
            check_tag(t.repo, t.tag, t.name, t.descriptor.digest)
            for t in plan.tags
            if t.descriptor.digest not in failed
        ),
    )
    return verified, problems
