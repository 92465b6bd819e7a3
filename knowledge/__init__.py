"""Facts the bot answers from: cases (Ahjo and the local registry), service knowledge and the
area registry. Still to come (issues on cases, notices and service knowledge)."""

__all__: list[str] = []
