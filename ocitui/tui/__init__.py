"""The Textual front end of ocitui: presents the core and dispatches keys to it."""
