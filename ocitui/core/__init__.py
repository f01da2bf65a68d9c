"""The ocitui core: the whole product without a screen.

Nothing under ``ocitui.core`` imports textual or rich; the CLI and the TUI are thin faces
over it (``tests/core/test_boundary.py`` imports every core module to hold that line).
"""
