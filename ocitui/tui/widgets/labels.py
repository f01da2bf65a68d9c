"""Labels of the Browse tree's nodes: name, type and counts, with the name emphasised."""

from __future__ import annotations

from rich.text import Text

from ocitui.core.text_safety import one_line_safe
from ocitui.core.verify.model import Badge
from ocitui.core.views import NodeInfo


def short_tag(tag: str) -> str:
    """Shorten ``sha256-<64 hex>.sig`` to ``sha256-0123456789ab….sig`` for display."""
    if tag.startswith("sha256-") and len(tag) >= 71:
        return f"{tag[:19]}…{tag[71:]}"
    return tag


#: Colour by artifact kind (words of the core's type label); NO_COLOR drops it.
KIND_STYLES = (
    ("sbom", "cyan"),
    ("signature", "magenta"),
    ("sigstore", "magenta"),
    ("attestation", "blue"),
    ("bundle", "green"),
    ("unreadable", "red"),
)


def kind_style(type_label: str) -> str:
    """The colour of a type label (``""``: none, e.g. plain images and indexes)."""
    lowered = type_label.lower()
    return next((style for word, style in KIND_STYLES if word in lowered), "")


def info_label(name: str, info: NodeInfo, kind: str = "tag") -> Text:
    """``name  type · N platforms · N referrers`` with the name emphasised and the type
    coloured by kind."""
    text = Text()
    style = {"tag": "bold", "machine": "dim", "referrer": "italic"}.get(kind, "")
    text.append(one_line_safe(name), style=style)  # Names come from the layout: no controls.
    # A platform's or locked image's name already says it is an image.
    plain_image = (kind == "platform" and info.type_label == "image") or (
        kind == "locked" and info.type_label in ("image", "index")
    )
    counts = []
    if info.platform_count > 1:
        counts.append(f"{info.platform_count} plat")
    if info.referrer_count:
        counts.append(f"{info.referrer_count} ref")
    if not plain_image and kind != "machine":
        colour = kind_style(info.type_label)
        text.append("  ")
        text.append(info.type_label, style=colour or "dim")
        if counts:
            text.append(" · " + " · ".join(counts), style="dim")
    elif counts:
        text.append("  " + " · ".join(counts), style="dim")
    return text


_BADGES = {
    Badge.SIGNED: ("  ✓ signed", "green"),
    Badge.INVALID: ("  ✗ invalid", "red"),
    Badge.UNSIGNED: ("  unsigned", "dim"),
}


def with_badge(label: Text, badge: Badge | None) -> Text:
    """``label`` followed by a signed / invalid / unsigned badge (unchanged for ``None``)."""
    if badge is None:
        return label
    text, style = _BADGES[badge]
    return Text.assemble(label, (text, style))


def locked_label(image: str, info: NodeInfo | None) -> Text:
    """A bundle's locked image by digest: ``● app@0123456789ab`` (present) or ``○ … absent``."""
    repo, _, digest = image.partition("@")
    name = f"{repo.rsplit('/', 1)[-1]}@{digest.partition(':')[2][:12]}" if digest else image
    if info is None:
        return Text.assemble(("○ ", "dim"), (name, "dim"), ("  absent", "italic"))
    return Text.assemble(("● ", "bold"), info_label(name, info, "locked"))
