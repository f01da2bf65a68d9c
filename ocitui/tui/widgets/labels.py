"""Labels of the Browse tree's nodes: name, type and counts, with the name emphasised."""

from __future__ import annotations

from rich.text import Text

from ocitui.core.views import NodeInfo


def short_tag(tag: str) -> str:
    """Shorten ``sha256-<64 hex>.sig`` to ``sha256-0123456789ab….sig`` for display."""
    if tag.startswith("sha256-") and len(tag) >= 71:
        return f"{tag[:19]}…{tag[71:]}"
    return tag


def info_label(name: str, info: NodeInfo, kind: str = "tag") -> Text:
    """``name  type · N platforms · N referrers`` with the name emphasised."""
    text = Text()
    style = {"tag": "bold", "machine": "dim", "referrer": "italic"}.get(kind, "")
    text.append(name, style=style)
    # A platform's or locked image's name already says it is an image.
    plain_image = (kind == "platform" and info.type_label == "image") or (
        kind == "locked" and info.type_label in ("image", "index")
    )
    parts = [] if plain_image or kind == "machine" else [info.type_label]
    if info.platform_count > 1:
        parts.append(f"{info.platform_count} plat")
    if info.referrer_count:
        parts.append(f"{info.referrer_count} ref")
    if parts:
        text.append("  " + " · ".join(parts), style="dim")
    return text


def locked_label(image: str, info: NodeInfo | None) -> Text:
    """A bundle's locked image by digest: ``● app@0123456789ab`` (present) or ``○ … absent``."""
    repo, _, digest = image.partition("@")
    name = f"{repo.rsplit('/', 1)[-1]}@{digest.partition(':')[2][:12]}" if digest else image
    if info is None:
        return Text.assemble(("○ ", "dim"), (name, "dim"), ("  absent", "italic"))
    return Text.assemble(("● ", "bold"), info_label(name, info, "locked"))
