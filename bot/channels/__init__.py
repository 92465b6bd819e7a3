"""Channels residents write through: Telegram (``bot.channels.telegram``) and the terminal
(``bot.channels.terminal``). Each is an adapter: only it imports its framework."""

__all__: list[str] = []
