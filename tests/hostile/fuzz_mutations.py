"""Seeded, deterministic damage to OCI layouts: the mutations of the fuzz harness.

Each mutation takes a ``random.Random`` and a layout directory and changes it in place,
returning a short description (which, with the seed, reproduces the case). JSON
mutations act on one position of index.json, oci-layout or a JSON blob; a mutated blob
is usually *re-addressed* (stored under its new digest, every descriptor that named the
old digest updated, up to index.json) so the damage reaches the parsers behind the
digest check, and sometimes left in place so the digest check itself is exercised.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

ESC_STRINGS = (
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x9b31m",
    "\u202eevil",
    "a\rb\x08c\x00d",
    "\ud800",  # A lone surrogate: valid JSON (\\ud800), not encodable as UTF-8.
    "\x7f\x85\u2028\u2029",
    "é漢字🙂",
    "x" * 70_000,
    "../../../etc/passwd",
    "",
    " ",
)
WRONG_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    2**64,
    -(2**63) - 1,
    10**400,
    1.5,
    float("1e308"),
    "",
    "x",
    "sha256:" + "0" * 64,
    [],
    [1, "a", None],
    {},
    {"a": {"b": []}},
)
DIGESTS = (
    "sha512:" + "ab" * 64,
    "sha384:" + "ab" * 48,
    "md5:" + "ab" * 16,
    "blake3:" + "ab" * 32,
    "SHA256:" + "ab" * 32,
    "sha256:" + "AB" * 32,
    "sha256:" + "ab" * 31,
    "sha256:../../../../etc/passwd",
    "sha256:",
    ":" + "ab" * 32,
    "sha256:" + "ab" * 32 + "\x1b[2J",
    "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
)
MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/json",
    "text/plain\x1b[2J",
    "",
)
LAYOUT_VERSIONS: tuple[Any, ...] = ("1.0.0", "1.0.1", "1.1.0", "2.0.0", "", "1", 1, None, [])

Mutation = Callable[[random.Random, Path], str]


# -- JSON value mutations ---------------------------------------------------------------
def _positions(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position (path of keys and indexes) in a JSON value, iteratively."""
    found: list[tuple[Any, ...]] = []
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        found.append(where)
        if isinstance(node, dict):
            stack.extend((child, (*where, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*where, i)) for i, child in enumerate(node))
    return sorted(found, key=repr)


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _set(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    _get(value, path[:-1])[path[-1]] = new
    return value


def mutate_value(rng: random.Random, doc: Any) -> tuple[Any, str]:
    """One change at one random position of ``doc``; returns (new doc, description)."""
    path = rng.choice(_positions(doc))
    old = _get(doc, path)
    key = path[-1] if path else None
    kind = rng.choice(("wrong", "string", "delete", "extra", "digest", "media", "number", "swap"))
    if kind == "delete" and path:
        parent = _get(doc, path[:-1])
        del parent[key]
        return doc, f"delete {path}"
    if kind == "extra" and isinstance(old, dict):
        old[rng.choice(("extra", "x\x1b[2J", "annotations", "subject", "manifests", "layers"))] = (
            rng.choice(WRONG_VALUES)
        )
        return doc, f"extra key at {path}"
    if kind == "extra" and isinstance(old, list):
        old.append(rng.choice(WRONG_VALUES))
        return doc, f"extra item at {path}"
    if kind == "string" or (kind == "wrong" and isinstance(old, str) and rng.random() < 0.3):
        text = rng.choice(ESC_STRINGS)
        new = (old + text) if isinstance(old, str) and rng.random() < 0.5 else text
        return _set(doc, path, new), f"string {path} += {text[:12]!r}"
    if kind == "digest" or (key == "digest" and rng.random() < 0.5):
        new = rng.choice(DIGESTS)
        return _set(doc, path, new), f"digest {path} = {new[:20]!r}"
    if kind == "media" or (key == "mediaType" and rng.random() < 0.5):
        new = rng.choice(MEDIA_TYPES)
        return _set(doc, path, new), f"mediaType {path} = {new!r}"
    if kind == "number" or (key == "size" and rng.random() < 0.5):
        new = rng.choice((-1, -(2**70), 2**63, 2**64 + 1, 10**30, 0, 1.0, 3.7, "10", True))
        return _set(doc, path, new), f"number {path} = {new!r}"
    if kind == "swap" and isinstance(old, dict) and ("manifests" in old or "layers" in old):
        if "manifests" in old:
            old["layers"] = old.pop("manifests")
            old["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
        else:
            old["manifests"] = old.pop("layers")
            old["mediaType"] = "application/vnd.oci.image.index.v1+json"
        return doc, f"swap index/manifest at {path}"
    new = rng.choice(WRONG_VALUES)
    return _set(doc, path, new), f"wrong {path} = {repr(new)[:20]}"


def dumps(rng: random.Random, doc: Any) -> bytes:
    """``doc`` as JSON; sometimes with a duplicate key or odd (but valid) spelling."""
    text = json.dumps(doc, separators=(",", ":"))
    roll = rng.random()
    if roll < 0.08 and text.startswith("{") and len(text) > 2:
        dup = rng.choice(('"schemaVersion":"2"', '"mediaType":7', '"manifests":{}', '"layers":0'))
        text = "{" + dup + "," + text[1:]
    elif roll < 0.12:
        text = "\ufeff" + text
    elif roll < 0.16:
        text = json.dumps(doc, indent="\t", ensure_ascii=True)
    return text.encode("utf-8", "surrogatepass")


# -- the layout ------------------------------------------------------------------------
def blob_path(root: Path, digest: str) -> Path:
    algorithm, _, encoded = digest.partition(":")
    return root / "blobs" / algorithm / encoded


def json_blobs(root: Path) -> list[str]:
    """Digests of the blobs under ``blobs/sha256`` that parse as JSON objects."""
    found = []
    folder = root / "blobs" / "sha256"
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > 1 << 20:
            continue
        try:
            if isinstance(json.loads(path.read_bytes()), dict):
                found.append("sha256:" + path.name)
        except (ValueError, UnicodeDecodeError):
            continue
    return found


def _load(path: Path) -> Any:
    return json.loads(path.read_bytes())


def readdress(root: Path, old: str, data: bytes) -> str:
    """Store ``data`` as a blob and make every descriptor naming ``old`` name it instead.

    The change ripples up: a parent blob that changed is re-addressed too, and index.json
    is rewritten last. Returns the new digest.
    """
    work = [(old, data)]
    new_digest = ""
    seen = 0
    while work and seen < 200:
        seen += 1
        old_digest, new_data = work.pop()
        digest = "sha256:" + hashlib.sha256(new_data).hexdigest()
        new_digest = new_digest or digest
        blob_path(root, digest).write_bytes(new_data)
        for parent in json_blobs(root):
            if parent in (digest, old_digest):
                continue
            raw = blob_path(root, parent).read_bytes()
            if old_digest.encode() not in raw:
                continue
            doc = _load(blob_path(root, parent))
            if _replace(doc, old_digest, digest, len(new_data)):
                work.append((parent, json.dumps(doc, separators=(",", ":")).encode()))
        index = root / "index.json"
        try:
            doc = _load(index)
        except (OSError, ValueError):
            continue
        if _replace(doc, old_digest, digest, len(new_data)):
            index.write_text(json.dumps(doc, indent=2))
    return new_digest


def _replace(doc: Any, old: str, new: str, size: int) -> bool:
    changed = False
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("digest") == old:
                node["digest"], node["size"] = new, size
                changed = True
            for key, value in node.items():
                if isinstance(value, str) and value == old and key != "digest":
                    node[key] = new
                    changed = True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return changed


def m_index_json(rng: random.Random, root: Path) -> str:
    """One value mutation in index.json."""
    path = root / "index.json"
    doc, what = mutate_value(rng, _load(path))
    path.write_bytes(dumps(rng, doc))
    return f"index.json: {what}"


def m_oci_layout(rng: random.Random, root: Path) -> str:
    """A version variant, a wrong type or a missing field in oci-layout."""
    path = root / "oci-layout"
    value = rng.choice(LAYOUT_VERSIONS)
    doc: Any = {"imageLayoutVersion": value}
    if rng.random() < 0.2:
        doc = rng.choice(({}, [], "1.0.0", {"imageLayoutVersion": "1.0.0", "extra": 1}))
    path.write_bytes(dumps(rng, doc))
    return f"oci-layout = {doc!r}"


def m_blob_json(rng: random.Random, root: Path) -> str:
    """One value mutation in a JSON blob (manifest, index, config), usually re-addressed."""
    blobs = json_blobs(root)
    if not blobs:
        return m_index_json(rng, root)
    digest = rng.choice(blobs)
    doc, what = mutate_value(rng, _load(blob_path(root, digest)))
    data = dumps(rng, doc)
    if rng.random() < 0.8:
        new = readdress(root, digest, data)
        return f"blob {digest[:15]}: {what} (re-addressed as {new[:15]})"
    blob_path(root, digest).write_bytes(data)
    return f"blob {digest[:15]}: {what} (in place)"


OUTSIDE_TEXT = b"outside the layout\n"


def outside(root: Path) -> Path:
    """A file next to the layout that links point at; it must never change."""
    path = root.parent / "outside.txt"
    if not path.exists():
        path.write_bytes(OUTSIDE_TEXT)
    return path


def _any_file(rng: random.Random, root: Path) -> Path:
    folder = root / "blobs" / "sha256"
    names = sorted(folder.iterdir()) if folder.is_dir() else []
    candidates = [root / "index.json", root / "oci-layout", *names]
    return rng.choice(candidates)


def m_file(rng: random.Random, root: Path) -> str:
    """Truncate, empty, delete, or replace a file with a directory, link, FIFO or junk."""
    path = _any_file(rng, root)
    rel = path.relative_to(root)
    kind = rng.choice(("truncate", "empty", "delete", "dir", "link-out", "link-loop", "junk"))
    if path.is_dir() and not path.is_symlink():
        return f"skip {rel} (a directory)"
    if kind == "truncate" and path.is_file() and not path.is_symlink():
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data) + 1)])
    elif kind == "empty":
        path.unlink(missing_ok=True)
        path.write_bytes(b"")
    elif kind == "delete":
        path.unlink(missing_ok=True)
    elif kind == "dir":
        path.unlink(missing_ok=True)
        path.mkdir()
        (path / "inner").write_bytes(b"{}")
    elif kind == "link-out":
        path.unlink(missing_ok=True)
        path.symlink_to(rng.choice((outside(root), "/nonexistent", "/dev/null", "/dev/zero")))
    elif kind == "link-loop":
        path.unlink(missing_ok=True)
        path.symlink_to(path.name)
    else:
        path.unlink(missing_ok=True)
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
    return f"file {rel}: {kind}"


def m_blobs_tree(rng: random.Random, root: Path) -> str:
    """Extra or odd entries under blobs/: other algorithms, bad names, upper-case hex."""
    blobs = root / "blobs"
    kind = rng.choice(("sha512", "unknown-alg", "bad-name", "upper", "subdir", "alg-file"))
    data = b'{"schemaVersion":2}'
    if kind == "sha512":
        (blobs / "sha512").mkdir(exist_ok=True)
        (blobs / "sha512" / hashlib.sha512(data).hexdigest()).write_bytes(data)
    elif kind == "unknown-alg":
        (blobs / "md5").mkdir(exist_ok=True)
        (blobs / "md5" / hashlib.md5(data).hexdigest()).write_bytes(data)
    elif kind == "bad-name":
        (blobs / "sha256" / rng.choice(("x", "\x1b[2J", "a b", ".hidden", "0" * 65))).write_bytes(
            data
        )
    elif kind == "upper":
        (blobs / "sha256" / hashlib.sha256(data).hexdigest().upper()).write_bytes(data)
    elif kind == "subdir":
        (blobs / "sha256" / ("d" * 64)).mkdir(exist_ok=True)
    else:
        (blobs / "sha1").write_bytes(data)
    return f"blobs tree: {kind}"


def m_descriptor_digest(rng: random.Random, root: Path) -> str:
    """Rewrite one index.json entry's digest to another algorithm, a case, a traversal..."""
    path = root / "index.json"
    doc = _load(path)
    entries = doc.get("manifests") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
        return m_index_json(rng, root)
    entry = rng.choice(entries)
    if not isinstance(entry, dict):
        return "skip (entry not an object)"
    old = entry.get("digest")
    roll = rng.random()
    if roll < 0.3 and isinstance(old, str) and old.startswith("sha256:"):
        # A sha512 blob with the same bytes, properly stored: a valid but foreign algorithm.
        data = blob_path(root, old).read_bytes() if blob_path(root, old).is_file() else b"{}"
        new = "sha512:" + hashlib.sha512(data).hexdigest()
        (root / "blobs" / "sha512").mkdir(exist_ok=True)
        blob_path(root, new).write_bytes(data)
    elif roll < 0.45 and isinstance(old, str):
        new = old.upper()
    else:
        new = rng.choice(DIGESTS)
    entry["digest"] = new
    path.write_bytes(dumps(rng, doc))
    return f"index.json entry digest = {new[:24]!r}"


def m_self_cycle(rng: random.Random, root: Path) -> str:
    """An index blob (stored under its old name) that lists itself; or a subject cycle."""
    blobs = [d for d in json_blobs(root) if "manifests" in _load(blob_path(root, d))]
    if not blobs or rng.random() < 0.4:
        return _subject_cycle(rng, root)
    digest = rng.choice(blobs)
    path = blob_path(root, digest)
    doc = _load(path)
    media = "application/vnd.oci.image.index.v1+json"
    doc.setdefault("manifests", []).append(
        {"mediaType": media, "digest": digest, "size": path.stat().st_size}
    )
    path.write_bytes(json.dumps(doc).encode())
    return f"index {digest[:15]} lists itself (in place)"


def _subject_cycle(rng: random.Random, root: Path) -> str:
    """Two referrer manifests whose subjects name each other (stored under wrong names)."""
    path = root / "index.json"
    doc = _load(path)
    media = "application/vnd.oci.image.manifest.v1+json"
    names = ["sha256:" + hashlib.sha256(n).hexdigest() for n in (b"cyc-a", b"cyc-b")]
    empty = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    (root / "blobs" / "sha256" / empty.split(":")[1]).write_bytes(b"{}")
    for me, other in (names, names[::-1]):
        manifest = {
            "schemaVersion": 2,
            "mediaType": media,
            "artifactType": "application/vnd.example.cycle",
            "config": {
                "mediaType": "application/vnd.oci.empty.v1+json",
                "digest": empty,
                "size": 2,
            },
            "layers": [],
            "subject": {"mediaType": media, "digest": other, "size": 10},
        }
        blob_path(root, me).write_bytes(json.dumps(manifest).encode())
        entry = {
            "mediaType": media,
            "digest": me,
            "size": len(json.dumps(manifest)),
            "artifactType": "application/vnd.example.cycle",
            "annotations": {"dev.ocitui.referrer.subject": other},
        }
        if rng.random() < 0.5:
            entry["annotations"]["org.opencontainers.image.ref.name"] = f"cycle:{me[7:12]}"
        doc.setdefault("manifests", []).append(entry)
    path.write_text(json.dumps(doc))
    return "subject cycle a<->b"


def m_hostile_annotation(rng: random.Random, root: Path) -> str:
    """Terminal escapes in an index.json entry's annotations (ref name or another key)."""
    path = root / "index.json"
    doc = _load(path)
    entries = doc.get("manifests") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        return m_index_json(rng, root)
    entry = rng.choice(entries)
    if not isinstance(entry, dict):
        return "skip"
    notes = entry.setdefault("annotations", {})
    if not isinstance(notes, dict):
        return "skip"
    key = rng.choice(
        (
            "org.opencontainers.image.ref.name",
            "org.opencontainers.image.created",
            "kind",
            "x\x1b[2Jkey",
            "dev.ocitui.referrer.subject",
        )
    )
    value = rng.choice(ESC_STRINGS)
    notes[key] = (notes.get(key, "") if isinstance(notes.get(key), str) else "") + value
    path.write_bytes(dumps(rng, doc))
    return f"annotation {key!r} += {value[:12]!r}"


def m_metadata_cache(rng: random.Random, root: Path) -> str:
    """A damaged metadata cache: junk, truncated, a directory, a symlink, a wrong schema."""
    path = root / ".ocitui-metadata.sqlite"
    kind = rng.choice(("junk", "truncate", "dir", "link", "schema"))
    if path.is_file() and not path.is_symlink() and kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data) + 1)])
        return f"metadata cache: {kind}"
    path.unlink(missing_ok=True)
    if kind == "dir":
        path.mkdir()
    elif kind == "link":
        path.symlink_to(outside(root))
    elif kind == "schema":
        import sqlite3

        with sqlite3.connect(path) as db:
            db.execute("create table entries (x)")
            db.execute("insert into entries values ('\x1b[2J')")
        db.close()
    else:
        path.write_bytes(b"SQLite format 3\x00" + bytes(rng.randrange(256) for _ in range(300)))
    return f"metadata cache: {kind}"


YAML_VARIANTS = (
    # Aliases: shared in memory, exponential when walked or printed.
    "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\n"
    "apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: ImagesLock\n"
    "images:\n- image: registry.example.com/x@sha256:" + "a" * 64 + "\n  annotations: *f\n",
    "apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: ImagesLock\nimages: !!python/object:os.system x\n",
    'apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: ImagesLock\nimages:\n- image: "\\e[2Jx@sha256:'
    + "a" * 64
    + '"\n',
    "apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: ImagesLock\nimages:\n- image: 5\n  annotations: 7\n",
    "apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: ImagesLock\nimages:\n"
    + "".join(f"- image: r.example/x{i}@sha256:{i:064x}\n" for i in range(3000)),
    "\t: [",
    "",
    "--- 1\n--- 2\n",
)


def _tar_bytes(members: list[tuple[Any, bytes]]) -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            if info.isfile():
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return buffer.getvalue()


def m_layer(rng: random.Random, root: Path) -> str:
    """A layer rebuilt with hostile members, YAML or compression, then re-addressed."""
    import gzip
    import io
    import tarfile

    folder = root / "blobs" / "sha256"
    layers = (
        sorted(
            p
            for p in folder.iterdir()
            if p.is_file() and not p.is_symlink() and p.read_bytes()[:2] == b"\x1f\x8b"
        )
        if folder.is_dir()
        else []
    )
    if not layers:
        return m_blob_json(rng, root)
    path = rng.choice(layers)
    try:
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(path.read_bytes()))) as tar:
            members = [
                (m, tar.extractfile(m).read() if m.isfile() else b"")  # type: ignore[union-attr]
                for m in tar.getmembers()
            ]
    except (OSError, tarfile.TarError, EOFError):
        return "layer not readable"
    kind = rng.choice(("name", "link", "device", "yaml", "yaml", "garbage", "truncated", "plain"))
    what = kind
    if kind == "yaml" and any(m.name.endswith("images.yml") for m, _ in members):
        text = rng.choice(YAML_VARIANTS)
        members = [(m, text.encode() if m.name.endswith("images.yml") else d) for m, d in members]
        what = f"images.yml = {text[:30]!r}"
    elif kind in ("name", "yaml"):
        info = tarfile.TarInfo(rng.choice(ESC_STRINGS[:9]) or "x")
        info.name = rng.choice((info.name, "../../" + info.name, "/abs/" + info.name, "a/" * 200))
        members.append((info, b"data"))
        what = f"member named {info.name[:20]!r}"
    elif kind == "link":
        info = tarfile.TarInfo(rng.choice(("bin/app", "etc/passwd", "x\x1b[2J")))
        info.type = rng.choice((tarfile.SYMTYPE, tarfile.LNKTYPE))
        info.linkname = rng.choice(
            ("/etc/shadow", "../../../../x", "nowhere", "\x1b]0;t\x07", info.name)
        )
        members.append((info, b""))
    elif kind == "device":
        info = tarfile.TarInfo("dev/\x1b[31mnode")
        info.type = rng.choice((tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE))
        members.append((info, b""))
    raw = _tar_bytes(members)
    if kind == "garbage":
        data = bytes(rng.randrange(256) for _ in range(200))
    elif kind == "truncated":
        full = gzip.compress(raw, mtime=0)
        data = full[: rng.randrange(10, len(full))]
    elif kind == "plain":
        data = raw  # An uncompressed tar under a +gzip media type.
    else:
        data = gzip.compress(raw, mtime=0)
    new = readdress(root, "sha256:" + path.name, data)
    return f"layer {path.name[:12]}: {what} (re-addressed as {new[:15]})"


MUTATIONS: tuple[tuple[Mutation, int], ...] = (
    (m_index_json, 5),
    (m_blob_json, 8),
    (m_oci_layout, 1),
    (m_file, 3),
    (m_blobs_tree, 1),
    (m_descriptor_digest, 2),
    (m_self_cycle, 1),
    (m_hostile_annotation, 2),
    (m_metadata_cache, 1),
    (m_layer, 3),
)


def mutate(rng: random.Random, root: Path, count: int) -> list[str]:
    """Apply ``count`` weighted random mutations to the layout at ``root``."""
    done = []
    funcs = [f for f, _ in MUTATIONS]
    weights = [w for _, w in MUTATIONS]
    for _ in range(count):
        func = rng.choices(funcs, weights)[0]
        try:
            done.append(func(rng, root))
        except (OSError, ValueError) as exc:  # The layout is already too broken to edit.
            done.append(f"{func.__name__}: not applied ({type(exc).__name__})")
    return done
