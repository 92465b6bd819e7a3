"""``python -m tests.fakes.ahjo``: serve the fake by hand."""

from __future__ import annotations

import argparse
import signal
import threading

from tests.fakes.ahjo.server import FakeAhjo


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGINT/SIGTERM: ``python -m tests.fakes.ahjo --port 8082``."""
    parser = argparse.ArgumentParser(description="Fake Ahjo REST API server")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--api-key", default=None, help="require this api-key header")
    parser.add_argument("--synthesise", type=int, default=0, help="serve this many made-up cases")
    args = parser.parse_args(argv)
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    with FakeAhjo(api_key=args.api_key, port=args.port) as fake:
        fake.synthesise(args.synthesise)
        print(f"Fake Ahjo serving {len(fake.case_ids())} cases at {fake.base_url}", flush=True)
        print(f"  try: curl '{fake.base_url}/cases/HEL-2025-001216?apireqlang=fi'", flush=True)
        while not done.wait(1):
            pass
    print("Fake Ahjo stopped", flush=True)


if __name__ == "__main__":
    main()
