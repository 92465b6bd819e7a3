"""The composition root: settings, the command line, and the wiring of the one process."""

__all__: list[str] = []
