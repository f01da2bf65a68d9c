"""The ocitui core: the whole product without a screen.

Nothing under ``ocitui.core`` imports textual or rich; the CLI and the TUI are thin faces
over it.
"""
