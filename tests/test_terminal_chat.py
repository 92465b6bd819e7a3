"""``talkkari chat``: the same dialogue, in the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.running import ROOT


@pytest.mark.slow
def test_chat_answers_each_line_in_its_language(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "talkkari", "chat"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "TALKKARI_NLU_CACHE_DIR": os.environ["TALKKARI_NLU_CACHE_DIR"],
            "TALKKARI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db",
        },
        input="moi\nhej\nhello\nxyzzy plugh\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    replies = [line for line in result.stdout.splitlines() if line.startswith("bot> ")]
    assert [reply[5:15] for reply in replies] == [
        "Hei! Olen ",
        "Hej! Jag ä",
        "Hello! I a",
        "Sorry, I d",
    ]
