"""Where the process keeps things: which database a command works on (said on stderr, so a
command run against another database than the server's is noticed), its directory, and the
demo's own secret key in the data directory."""

from __future__ import annotations

import logging
import os
import secrets
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from admin_api.keys import weak_key_reason
from talkkari.settings import Settings

__all__ = ["DEMO_KEY_FILE", "announce_database", "database_shown", "demo_secret_key"]

log = logging.getLogger(__name__)

DEMO_KEY_FILE = "demo-secret-key"


def database_shown(url: str) -> str:
    """The database URL as it may be shown: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def announce_database(settings: Settings) -> None:
    """Say on stderr which database the command uses, and make the directory of a SQLite file
    (only the file is made by SQLite itself)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    print(f"talkkari: database {database_shown(settings.database_url)}", file=sys.stderr)


def demo_secret_key(data_dir: Path) -> str:
    """The demo's secret key: made at random the first time and kept in the data directory
    (readable by its owner only), so tokens survive a restart of the demo; never a constant."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = data_dir / DEMO_KEY_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        key = path.read_text(encoding="utf-8").strip()
        if weak_key_reason(key) is None:
            return key
        log.warning("%s held no usable key: a new one is made", path)
        path.unlink()
        return demo_secret_key(data_dir)
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return key
