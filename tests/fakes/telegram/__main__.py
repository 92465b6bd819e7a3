"""``python -m tests.fakes.telegram``: serve the fake by hand."""

from __future__ import annotations

import argparse
import signal
import threading

from tests.fakes.telegram.server import FakeTelegram


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGINT/SIGTERM: ``python -m tests.fakes.telegram --port 8081``."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    args = parser.parse_args(argv)
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    with FakeTelegram(args.token, port=args.port) as fake:
        print(f"Fake Telegram serving at {fake.base_url}  (token {fake.token})", flush=True)
        while not done.wait(1):
            pass
    print("Fake Telegram stopped", flush=True)


if __name__ == "__main__":
    main()
