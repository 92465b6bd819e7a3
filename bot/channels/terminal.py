"""The terminal: ``talkkari chat`` talks to the same dialogue, through the same outbox."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from bot.inbound import Inbound
from bot.intake import Intake
from bot.ports import Button
from bot.sender import Sender

__all__ = ["CHANNEL", "TerminalTransport", "chat"]

CHANNEL = "terminal"
TERMINAL_CHAT = 1


class TerminalTransport:
    channel = CHANNEL

    def __init__(self, output: TextIO) -> None:
        self._output = output

    def spacing(self, chat_id: int) -> float:
        return 0.0

    async def send(
        self, chat_id: int, text: str, *, buttons: Sequence[Sequence[Button]] | None = None
    ) -> int | None:
        self._output.write(f"bot> {text}\n")
        for row in buttons or ():
            self._output.write("     " + "  ".join(f"[{label}]" for label, _ in row) + "\n")
        self._output.flush()
        return None


async def chat(
    intake: Intake,
    sender: Sender,
    *,
    input: TextIO = sys.stdin,
    output: TextIO = sys.stdout,
    language_code: str | None = None,
) -> None:
    """Read a line, let the dialogue answer it, print the answer; until end of input."""
    interactive = input.isatty()
    while True:
        if interactive:
            output.write("you> ")
            output.flush()
        line = await asyncio.to_thread(input.readline)
        if not line:
            return
        text = line.rstrip("\n")
        if not text.strip():
            continue
        await intake.record(
            Inbound(
                channel=CHANNEL,
                update_id=time.time_ns(),
                kind="text",
                chat_id=TERMINAL_CHAT,
                user_id="terminal",
                language_code=language_code,
                text=text,
            )
        )
        await intake.handle_pending()
        await sender.deliver_pending()
