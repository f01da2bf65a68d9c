"""The ocitui core: the whole product without a screen.

Nothing under ``ocitui.core`` imports textual or rich; the CLI and the TUI are thin faces
over it.
"""

import sys

if "httpx" not in sys.modules:
    # httpx's package __init__ imports its own command-line entry point, which imports rich
    # (and click, pygments) whenever they are installed, and rich is, through textual. The
    # core must stay free of UI libraries; httpx falls back to a stub ``main`` when that one
    # import fails, and nothing here needs httpx's CLI.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
