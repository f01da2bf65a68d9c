"""The TUI fixtures (an app factory, a private demo layout) for the TUI cases of case 15."""

from tests.tui.conftest import demo_layout, make_app  # noqa: F401
