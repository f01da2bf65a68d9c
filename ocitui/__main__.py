"""Run ocitui as ``python -m ocitui``."""

from ocitui.cli.main import main

raise SystemExit(main())
