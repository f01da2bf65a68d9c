"""Shared fixtures. Each support module registers its own fixtures as a pytest plugin."""

pytest_plugins = [
    "tests.support.layouts",
    "tests.support.registries",
    "tests.support.serving",
]
