"""People: teams, officials, routing rules, office hours and the handoff state machine.
Still to come (the handoff issue)."""

__all__: list[str] = []
