"""`python -m demo [--port N]`: serve the demo feeds on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import argparse
import time

from demo.server import DemoServer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m demo", description="Serve the veille demo feeds locally.")
    parser.add_argument("--port", type=int, default=8599, help="port on 127.0.0.1 (default 8599, 0 = any free)")
    args = parser.parse_args()
    with DemoServer(port=args.port) as server:
        print(f"demo feeds on {server.base_url}/ (Ctrl-C to stop)")
        for _feed, url in server.feed_urls():
            print(f"  {url}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopped")


if __name__ == "__main__":
    main()
