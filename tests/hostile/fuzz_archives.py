"""The archive fuzz harness: damaged ``ocitui export`` archives through import and inspect.

A seed archive (the demo exported as tar, or as .tar.zst) is rebuilt member by member
with seeded damage (JSON mutations in index.json or a blob, hostile member names, links,
devices, duplicates, size lies, truncation, flipped bytes), then ``import`` (into a fresh
layout and into a copy of the demo) and ``inspect ARCHIVE:REF`` run on it. Each run must
pass :func:`tests.hostile.fuzz_checks.problems`; a failed import must leave the target's
``index.json`` as it was, and nothing unverified may reach ``blobs/``.

    PYTHONPATH=$PWD python3 -m tests.hostile.fuzz_archives --seconds 300
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import sys
import tarfile
from pathlib import Path

from tests.hostile import fuzz_runner
from tests.hostile.fuzz_checks import Failure, Stats, fuzz_args, fuzz_loop, problems
from tests.hostile.fuzz_layouts import DEMO, child_env
from tests.hostile.fuzz_mutations import ESC_STRINGS, dumps, mutate_value

REF = "registry.example.com/demo/app:1.0"
#: Hostile strings a tar member name can carry (a lone surrogate cannot be encoded).
NAME_STRINGS = tuple(s for s in ESC_STRINGS if "\ud800" not in s)


def seed_archives(cache: Path, env: dict[str, str]) -> list[Path]:
    """The demo exported whole as tar and as .tar.zst (made once into ``cache``)."""
    cache.mkdir(parents=True, exist_ok=True)
    made = []
    for name in ("demo.tar", "demo.tar.zst"):
        path = cache / name
        if not path.exists():
            outcome = fuzz_runner.run(["--layout", str(DEMO), "export", str(path)], env=env)
            assert outcome.returncode == 0, outcome.stderr
        made.append(path)
    return made


def _members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    raw = archive.read_bytes()
    if archive.name.endswith(".zst"):
        import zstandard

        raw = zstandard.ZstdDecompressor().decompressobj().decompress(raw)
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        return [
            (info, tar.extractfile(info).read() if info.isfile() else b"")  # type: ignore[union-attr]
            for info in tar.getmembers()
        ]


def _damage(rng: random.Random, members: list[tuple[tarfile.TarInfo, bytes]]) -> str:
    """One seeded change to the member list (in place)."""
    kind = rng.choice(
        ("index", "index", "blob", "name", "link", "device", "dup", "drop", "dir", "layout")
    )
    files = [i for i, (info, _) in enumerate(members) if info.isfile()]
    has_index = any(m.name.endswith("index.json") and m.isfile() for m, _ in members)
    if not files or (not has_index and kind in ("index", "blob")):
        return "nothing left to damage"
    pick = rng.choice(files)
    info, data = members[pick]
    if kind == "index" or (kind == "blob" and not data.startswith(b"{")):
        at = next(i for i, (m, _) in enumerate(members) if m.name.endswith("index.json"))
        doc, what = mutate_value(rng, json.loads(members[at][1]))
        members[at] = (members[at][0], dumps(rng, doc))
        return f"index.json: {what}"
    if kind == "blob":
        doc, what = mutate_value(rng, json.loads(data))
        new = dumps(rng, doc)
        if rng.random() < 0.6 and "blobs/" in info.name:  # Re-addressed: index names it.
            digest = hashlib.sha256(new).hexdigest()
            clone = tarfile.TarInfo(f"blobs/sha256/{digest}")
            members.append((clone, new))
            at = next(i for i, (m, _) in enumerate(members) if m.name.endswith("index.json"))
            text = members[at][1].replace(info.name.rsplit("/", 1)[1].encode(), digest.encode())
            members[at] = (members[at][0], text)
            return f"blob {info.name[-12:]}: {what} (re-addressed)"
        members[pick] = (info, new)
        return f"blob {info.name[-12:]}: {what} (in place)"
    if kind == "name":
        name = rng.choice(
            (
                "/etc/x",
                "../x",
                "blobs/../../x",
                "blobs/sha256/" + rng.choice(NAME_STRINGS)[:40],
                "a" * 300,
                "blobs/sha256/./" + info.name[-64:],
                "./index.json",
                "",
            )
        )
        clone = tarfile.TarInfo(name)
        members.append((clone, data))
        return f"extra member named {name[:30]!r}"
    if kind == "link":
        clone = tarfile.TarInfo(info.name)
        clone.type = rng.choice((tarfile.SYMTYPE, tarfile.LNKTYPE))
        clone.linkname = rng.choice(
            ("/etc/passwd", "../../x", "index.json", info.name, "/dev/zero")
        )
        members[pick] = (clone, b"")
        return f"{info.name[-20:]} -> link to {clone.linkname!r}"
    if kind == "device":
        clone = tarfile.TarInfo(info.name)
        clone.type = rng.choice((tarfile.CHRTYPE, tarfile.FIFOTYPE, tarfile.BLKTYPE))
        members[pick] = (clone, b"")
        return f"{info.name[-20:]} is a device"
    if kind == "dup":
        members.append((tarfile.TarInfo(info.name), data[::-1] or b"x"))
        return f"duplicate {info.name[-20:]} with other bytes"
    if kind == "drop":
        del members[pick]
        return f"dropped {info.name[-20:]}"
    if kind == "dir":
        clone = tarfile.TarInfo(info.name)
        clone.type = tarfile.DIRTYPE
        members[pick] = (clone, b"")
        return f"{info.name[-20:]} is a directory"
    at = next((i for i, (m, _) in enumerate(members) if m.name.endswith("oci-layout")), -1)
    if at < 0:
        return "no oci-layout left to damage"
    value = rng.choice(('{"imageLayoutVersion":"2.0.0"}', "{}", "[]", "", "\x1b[2J"))
    members[at] = (members[at][0], value.encode())
    return f"oci-layout = {value!r}"


def build(rng: random.Random, seed: Path, out: Path) -> list[str]:
    """A damaged copy of archive ``seed`` at ``out``; the damage, described."""
    members = _members(seed)
    what = [_damage(rng, members) for _ in range(rng.choice((1, 1, 2)))]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            clone = tarfile.TarInfo(info.name)
            clone.type, clone.linkname, clone.mode = info.type, info.linkname, 0o644
            if info.isfile() or info.type == tarfile.AREGTYPE:
                clone.size = len(data)
                tar.addfile(clone, io.BytesIO(data))
            else:
                tar.addfile(clone)
    raw = buffer.getvalue()
    roll = rng.random()
    if roll < 0.15:
        raw = raw[: rng.randrange(len(raw))]
        what.append("truncated")
    elif roll < 0.25:
        flips = bytearray(raw)
        for _ in range(rng.randrange(1, 8)):
            flips[rng.randrange(len(flips))] ^= 1 << rng.randrange(8)
        raw = bytes(flips)
        what.append("bytes flipped")
    if seed.name.endswith(".zst"):
        import zstandard

        raw = zstandard.ZstdCompressor().compress(raw)
    out.write_bytes(raw)
    return what


def run_case(
    case: int, work: Path, seeds: list[Path], *, stats: Stats, timeout: float = 20.0
) -> None:
    """One damaged archive through import (fresh and into the demo) and inspect."""
    rng = random.Random(f"archive/{case}")
    seed = rng.choice(seeds)
    archive = work / ("in" + "".join(seed.suffixes))
    what = build(rng, seed, archive)
    env = child_env(work / "home")
    stats.cases += 1
    fresh, demo = work / "fresh", work / "demo"
    for path in (fresh, demo):
        if path.exists():
            shutil.rmtree(path)
    shutil.copytree(DEMO, demo)
    index_before = (demo / "index.json").read_bytes()
    runs = (
        (["--layout", str(fresh), "import", str(archive)], False),
        (["--layout", str(demo), "import", str(archive), "--json"], True),
        (["--layout", str(fresh), "inspect", f"{archive}:{REF}"], False),
        (["--layout", str(fresh), "inspect", f"{archive}:{REF}", "--json"], True),
    )
    for argv, json_mode in runs:
        outcome = fuzz_runner.run(argv, env=env, timeout=timeout)
        stats.runs += 1
        stats.by_code[outcome.returncode] = stats.by_code.get(outcome.returncode, 0) + 1
        found = problems(outcome, json_mode=json_mode)
        failed_import = "import" in argv and str(demo) in argv and outcome.returncode != 0
        if failed_import and (demo / "index.json").read_bytes() != index_before:
            found.append("a failed import changed index.json")
        for root in (fresh, demo):
            folder = root / "blobs" / "sha256"
            for path in folder.iterdir() if folder.is_dir() else []:
                if path.is_symlink() or hashlib.sha256(path.read_bytes()).hexdigest() != path.name:
                    found.append(f"unverified {path.name[:12]} in {root.name}/blobs")
        if found:
            stats.failures.append(
                Failure("archive", case, what, tuple(argv), found, outcome.stderr)
            )


def main(argv: list[str] | None = None) -> int:
    """Fuzz archives for ``--seconds``; print failures."""
    args = fuzz_args(__doc__.split("\n\n")[0]).parse_args(argv)
    made: list[Path] = []

    def one(case: int, work: Path, stats: Stats) -> None:
        if not made:
            made.extend(seed_archives(work / "seeds", child_env(work / "home")))
        run_case(case, work, made, stats=stats)

    return fuzz_loop(args, one)


if __name__ == "__main__":
    sys.exit(main())
