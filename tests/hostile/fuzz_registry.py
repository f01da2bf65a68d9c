"""The registry fuzz harness: a fake registry whose answers are damaged, seeded.

Each case starts :class:`tests.support.fake_registry.FakeRegistry` holding the demo's
images and referrers, installs a seeded :attr:`FakeRegistry.rewrite` that damages some
answers (JSON bodies, Content-Length lies, Docker-Content-Digest mismatches, odd
WWW-Authenticate challenges, Content-Encoding labels, huge and non-UTF-8 headers,
malformed Link headers, odd statuses and Retry-After values), and runs every registry
command against it. Each run must pass :func:`tests.hostile.fuzz_checks.problems`, leave
``blobs/`` verified, and a failed pull must leave ``index.json`` as it was.

    PYTHONPATH=$PWD python3 -m tests.hostile.fuzz_registry --seconds 300
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from tests.hostile import fuzz_runner
from tests.hostile.fuzz_checks import Failure, Stats, fuzz_args, fuzz_loop, problems
from tests.hostile.fuzz_layouts import DEMO, child_env, quiet_server
from tests.hostile.fuzz_mutations import DIGESTS, ESC_STRINGS, MEDIA_TYPES, mutate_value
from tests.support.fake_registry import FakeRegistry, ResponseParts

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
)
REF_NAME = "org.opencontainers.image.ref.name"

#: (argv template, json mode). REG: the registry, LAYOUT: a fresh layout, DEMO: a copy
#: of the demo layout (the source of pushes).
COMMANDS: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("--layout", "LAYOUT", "pull", "REG/demo/app:1.0"), False),
    (("--layout", "LAYOUT", "pull", "REG/demo/app:1.0", "--json"), True),
    (("--layout", "LAYOUT", "referrers", "REG/demo/app:1.0", "--remote"), False),
    (("--layout", "LAYOUT", "referrers", "REG/demo/app:1.0", "--remote", "--tree", "--json"), True),
    (("--layout", "LAYOUT", "inspect", "REG/demo/app:1.0", "--remote"), False),
    (("--layout", "LAYOUT", "copy", "REG/demo/app:1.0", "REG/fuzz/copy:1"), False),
    (("--layout", "DEMO", "push", "app:1.0", "REG/fuzz/pushed:1"), False),
)


def seed_registry(registry: FakeRegistry) -> None:
    """The demo's blobs and manifests in ``demo/app`` and ``demo/bundle``, with its tags."""
    index = json.loads((DEMO / "index.json").read_bytes())
    tags = {}
    for entry in index["manifests"]:
        name = (entry.get("annotations") or {}).get(REF_NAME, "")
        if name.startswith("registry.example.com/"):
            tags[entry["digest"]] = name.split("/", 1)[1]
    for path in sorted((DEMO / "blobs" / "sha256").iterdir()):
        data = path.read_bytes()
        digest = "sha256:" + path.name
        media = None
        if data[:1] == b"{":
            try:
                media = json.loads(data).get("mediaType")
            except ValueError:
                media = None
        for repo in ("demo/app", "demo/bundle"):
            if media in MANIFEST_TYPES:
                tagged = tags.get(digest, "")
                tag = tagged.split(":")[1] if tagged.startswith(repo + ":") else None
                registry.state.put_manifest(repo, data, media, tag)
            else:
                registry.state.put_blob(repo, data)


HEADER_VALUES: dict[str, tuple[str, ...]] = {
    "WWW-Authenticate": (
        'Bearer realm="http://127.0.0.1:1/token",service="x"',
        "Bearer",
        "Bearer realm=",
        'Bearer realm="file:///etc/passwd"',
        'Bearer realm="ftp://127.0.0.1/x",scope="a b"',
        'Basic realm="\x1b[2J"',
        "Negotiate",
        'Bearer realm="' + "a" * 20_000 + '"',
        'Bearer realm="http://127.0.0.1:1/t",error="insufficient_scope",,,=,',
        "\xff\xfe",
        'Bearer realm="http://127.0.0.1:1/t\x1b[2J",service="\x1b[31m"',
    ),
    "Link": (
        '<>; rel="next"',
        "garbage",
        '<http://evil.example:1/v2/x/tags/list>; rel="next"',
        '<PATH>; rel="next"',
        "<?n=1&last=\x1b[2J>; rel=next",
        '<\xff>; rel="next"',
        '<PATH>; rel="next", <PATH>; rel="next"',
        '</v2/../../etc/passwd>; rel="next"',
    ),
    "Docker-Content-Digest": (*DIGESTS, "sha256:\xff\xfe", ""),
    "Content-Type": (*MEDIA_TYPES, "application/json; charset=\xff"),
    "Retry-After": ("-1", "99999999", "abc", "1e308", "Wed, 21 Oct 2999 07:28:00 GMT"),
    "Location": ("http://evil.example:1/up", "", "\x1b[2J", "/v2/x/blobs/uploads/../../", "//"),
    "Content-Range": ("bytes 0-0/1", "bytes */*", "garbage", "bytes 5-1/2"),
    "X-Junk": ("a" * 70_000,),
    "Content-Encoding": ("gzip", "zstd", "br", "deflate", "gzip, gzip", "identity", "\xff"),
}


def _status(rng: random.Random) -> int:
    return rng.choice((200, 201, 202, 204, 206, 301, 307, 400, 401, 403, 404, 416, 429, 500, 503))


def make_rewrite(rng: random.Random) -> tuple[Callable[[ResponseParts], ResponseParts], list[str]]:
    """A seeded rewrite: 1-3 rules, each (a path pattern, one kind of damage, a rate)."""
    rules = []
    described = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        where = rng.choice(
            (
                "/manifests/",
                "/blobs/sha256",
                "/referrers/",
                "/tags/list",
                "/token",
                "/v2/$",
                "/blobs/uploads/",
                "",
            )
        )
        kind = rng.choice(("json", "json", "length", "header", "header", "status", "strings"))
        header = rng.choice(sorted(HEADER_VALUES))
        value = rng.choice(HEADER_VALUES[header])
        status = _status(rng)
        rate = rng.choice((1.0, 1.0, 0.5, 0.2))
        rule_seed = rng.randrange(1 << 30)
        rules.append(
            (re.compile(where), kind, header, value, status, rate, random.Random(rule_seed))
        )
        described.append(
            f"{where or '*'}: {kind} {header if kind == 'header' else ''}{value[:20]!r} {status} x{rate}"
        )

    def rewrite(parts: ResponseParts) -> ResponseParts:
        for pattern, kind, header, value, status, rate, local in rules:
            if not pattern.search(parts.path) or local.random() >= rate:
                continue
            if kind == "json" and parts.body[:1] in (b"{", b"["):
                try:
                    doc, _ = mutate_value(local, json.loads(parts.body))
                    parts.body = json.dumps(doc).encode("utf-8", "surrogatepass")
                except (ValueError, RecursionError):
                    pass
                if local.random() < 0.5:  # Claim the damaged bytes are what was asked for.
                    parts.headers = [
                        (k, v) for k, v in parts.headers if k != "Docker-Content-Digest"
                    ]
                    parts.headers.append(
                        (
                            "Docker-Content-Digest",
                            "sha256:" + hashlib.sha256(parts.body).hexdigest(),
                        )
                    )
            elif kind == "length" and parts.body:
                parts.length = max(0, len(parts.body) + local.choice((-1, -len(parts.body), 7)))
            elif kind == "header":
                parts.headers = [(k, v) for k, v in parts.headers if k != header]
                parts.headers.append((header, value.replace("PATH", parts.path.split("?")[0])))
            elif kind == "status":
                parts.status = status
                if status == 401 and local.random() < 0.7:
                    parts.headers.append(
                        ("WWW-Authenticate", local.choice(HEADER_VALUES["WWW-Authenticate"]))
                    )
            elif kind == "strings" and parts.body[:1] == b"{":
                text = local.choice(ESC_STRINGS)
                try:
                    doc = json.loads(parts.body)
                except ValueError:
                    continue
                for key in ("tags", "repositories"):
                    if isinstance(doc.get(key), list):
                        doc[key] = [*doc[key], text, "v1" + text]
                for entry in (
                    doc.get("manifests", []) if isinstance(doc.get("manifests"), list) else []
                ):
                    if isinstance(entry, dict):
                        entry["annotations"] = {
                            "org.opencontainers.image.created": text,
                            text: text,
                        }
                        entry["artifactType"] = "application/x" + text
                parts.body = json.dumps(doc).encode("utf-8", "surrogatepass")
        return parts

    return rewrite, described


def run_case(case: int, work: Path, *, stats: Stats, timeout: float = 30.0) -> None:
    """One seeded registry, every command against it."""
    rng = random.Random(f"registry/{case}")
    rewrite, described = make_rewrite(rng)
    env = child_env(work / "home")
    stats.cases += 1
    with FakeRegistry(referrers_api=rng.random() < 0.7) as registry:
        quiet_server(registry)
        seed_registry(registry)
        registry.rewrite = rewrite
        for template, json_mode in COMMANDS:
            layout, demo = work / "layout", work / "demo"
            for path in (layout, demo):
                if path.exists():
                    shutil.rmtree(path)
            shutil.copytree(DEMO, demo)
            argv = [
                str(layout)
                if a == "LAYOUT"
                else str(demo)
                if a == "DEMO"
                else a.replace("REG", registry.host)
                for a in template
            ]
            outcome = fuzz_runner.run(argv, env=env, timeout=timeout)
            stats.runs += 1
            stats.by_code[outcome.returncode] = stats.by_code.get(outcome.returncode, 0) + 1
            found = problems(outcome, json_mode=json_mode)
            found += _layout_problems(layout)
            if found:
                stats.failures.append(
                    Failure("registry", case, described, tuple(argv), found, outcome.stderr)
                )


def _layout_problems(root: Path) -> list[str]:
    folder = root / "blobs" / "sha256"
    bad = []
    if folder.is_dir():
        for path in folder.iterdir():
            if hashlib.sha256(path.read_bytes()).hexdigest() != path.name:
                bad.append(f"unverified blob {path.name[:12]} in the layout")
    return bad


def main(argv: list[str] | None = None) -> int:
    """Fuzz the registry side for ``--seconds``; print failures."""
    args = fuzz_args(__doc__.split("\n\n")[0]).parse_args(argv)
    return fuzz_loop(args, lambda case, work, stats: run_case(case, work, stats=stats))


if __name__ == "__main__":
    sys.exit(main())
