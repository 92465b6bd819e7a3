"""The residents' side: channels, intake, dialogue and actions, the outbox and its sender.

Modules are imported by name (``bot.intake``, ``bot.sender``…); the package re-exports nothing.
"""

__all__: list[str] = []
