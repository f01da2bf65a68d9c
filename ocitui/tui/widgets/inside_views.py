"""Rich renderings of the core's look-inside results (attestation, signature, image config,
raw blob). The SBOM table is a widget of its own (searchable); see ``screens/inside.py``."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from ocitui.core.inside import Inside
from ocitui.core.inside.attestation import Material, Statement
from ocitui.core.inside.blob import BlobView
from ocitui.core.inside.image import ConfigView
from ocitui.core.inside.signature import SignatureView
from ocitui.core.views_text import human_size, plural
from ocitui.tui.safe import safe, safe_lines
from ocitui.tui.widgets.fit import KeyValues, middle


def heading(text: str) -> Text:
    """A section heading."""
    return Text(text, style="bold underline")


def _json(text: str) -> Syntax:
    return Syntax(text, "json", theme="ansi_dark", background_color="default", word_wrap=True)


class Materials:
    """Materials one per entry: the URI, then its digests indented (shortened in the
    middle to the width, never wrapped inside a token)."""

    def __init__(self, materials: tuple[Material, ...]) -> None:
        self.materials = materials

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Lay out for the width Rich offers."""
        width = options.max_width
        for material in self.materials:
            yield safe(middle(material.uri or "-", width))
            for digest in material.digests:
                yield Text("  " + middle(digest, width - 2), style="dim")


def statement_view(statement: Statement) -> RenderableType:
    """Subjects, predicate type, and SLSA provenance with its materials."""
    rows = [("predicate type", statement.predicate_type or "-")]
    if statement.statement_type:
        rows.append(("statement", statement.statement_type))
    if statement.payload_type:
        rows.append(("envelope", f"DSSE, {plural(statement.signatures, 'signature')}"))
    for name, digest in statement.subjects:
        rows.append(("subject", f"{name} {digest}".strip()))
    parts: list[RenderableType] = [KeyValues(rows)]
    prov = statement.provenance
    if prov is not None:
        parts += [Text(""), heading("SLSA provenance")]
        parts.append(
            KeyValues(
                [
                    (key, value)
                    for key, value in (
                        ("builder", prov.builder),
                        ("build type", prov.build_type),
                        ("source", prov.source),
                        ("invocation", prov.invocation),
                        ("started", prov.started),
                        ("finished", prov.finished),
                    )
                    if value
                ]
            )
        )
        if prov.materials:
            parts += [Text(""), heading(f"Materials ({len(prov.materials)})")]
            parts.append(Materials(prov.materials))
    elif statement.predicate:
        import json

        parts += [Text(""), heading("Predicate"), _json(json.dumps(statement.predicate, indent=2))]
    return Group(*parts)


def signature_view(signatures: tuple[SignatureView, ...]) -> RenderableType:
    """Each signature: form, signed digest, signer, log time, then its payload."""
    parts: list[RenderableType] = []
    for index, sig in enumerate(signatures):
        if index:
            parts.append(Text(""))
        signer = sig.signer
        who = signer.identity or signer.key_hint or "-"
        rows = [
            ("form", sig.form),
            ("signs", sig.signed_digest or "-"),
        ]
        if sig.reference:
            rows.append(("reference", sig.reference))
        rows.append(("signer", who))
        if signer.issuer:
            rows.append(("issuer", signer.issuer))
        if signer.note:
            rows.append(("certificate", signer.note))
        rows.append(("logged", sig.integrated_time or "no transparency-log entry"))
        parts.append(KeyValues(rows))
        if sig.statement is not None:
            parts += [Text(""), statement_view(sig.statement)]
        else:
            parts += [Text(""), heading("Payload"), _json(sig.payload)]
    parts += [Text(""), Text("Not verified here: run 'ocitui verify'.", style="dim italic")]
    return Group(*parts)


def config_view(config: ConfigView, layers: int) -> RenderableType:
    """Run settings, environment, labels and history of an image config."""
    parts: list[RenderableType] = [KeyValues([*config.settings, ("layers", str(layers))])]
    for title, rows in (("Environment", config.env), ("Labels", config.labels)):
        if rows:
            parts += [Text(""), heading(f"{title} ({len(rows)})"), KeyValues(list(rows))]
    if config.history:
        parts += [Text(""), heading(f"History ({plural(len(config.history), 'step')})")]
        table = Table(box=None, padding=(0, 1), header_style="bold", expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("created by", ratio=1, overflow="fold")
        table.add_column("layer", no_wrap=True)
        for number, row in enumerate(config.history, start=1):
            layer = Text("empty", style="dim") if row.empty_layer else Text("yes", style="green")
            table.add_row(str(number), safe_lines(row.created_by), layer)
        parts.append(table)
    return Group(*parts)


def blob_render(blob: BlobView) -> RenderableType:
    """Pretty JSON, text, or a hex dump, with a note when only the head is shown."""
    body: RenderableType
    if blob.kind == "json":
        body = _json(blob.text)
    elif blob.kind == "text":
        body = safe_lines(blob.text)  # A file from a layer: its bytes, not its escapes.
    else:
        body = safe_lines(blob.text)
        body.no_wrap = True
    if not blob.truncated:
        return body
    note = Text(f"(first bytes of {human_size(blob.size)} shown)", style="dim italic")
    return Group(body, note)


def inside_render(inside: Inside) -> RenderableType:
    """The body for any kind but ``sbom`` (which is a table widget)."""
    parts: list[RenderableType] = []
    if inside.note:
        parts.append(Text(inside.note, style="yellow"))
    if inside.statement is not None:
        parts.append(statement_view(inside.statement))
    elif inside.signatures:
        parts.append(signature_view(inside.signatures))
    elif inside.config is not None:
        parts.append(config_view(inside.config, len(inside.layers)))
    elif inside.blob is not None:
        parts.append(blob_render(inside.blob))
    return Group(*parts)


__all__ = ["blob_render", "inside_render", "signature_view", "statement_view"]
