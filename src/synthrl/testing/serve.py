"""The fake teacher server as a command, for manual checks and benchmarks:

    python -m synthrl.testing.serve --port 8001 [--script echo|arithmetic] [--latency S]
                                    [--slots K]

It prints "serving on <base URL>" once it listens, then serves until interrupted.
"""

from __future__ import annotations

import argparse
import time

from synthrl.testing.fake_server import FakeServer, Responder, echo
from synthrl.testing.scripted import ArithmeticTeacher


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake OpenAI-compatible teacher.")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--slots", type=int, default=None, help="requests answered at once")
    parser.add_argument("--script", choices=["echo", "arithmetic"], default="arithmetic")
    args = parser.parse_args()
    responder: Responder = ArithmeticTeacher() if args.script == "arithmetic" else echo
    server = FakeServer(responder, latency_s=args.latency, port=args.port, slots=args.slots).start()
    print(f"serving on {server.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
