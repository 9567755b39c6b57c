"""Teacher-call throughput against a local server with fixed latency per request.

    .venv/bin/python benchmarks/teacher_throughput.py [--latency 0.2] [--requests 640]
    .venv/bin/python benchmarks/teacher_throughput.py --pool [--slots 8] [--requests 640]

Measures, in one run against the same server: synthrl's client at several concurrency
levels (requests/s, and the share of the ideal concurrency / latency), and a client that sends
one request at a time and waits for each (the reference implementation's design). Each
request asks for one sample of a distinct prompt, through the response cache as in a real
run (the cache starts empty, so every request reaches the server). The server runs in its own
process, as a real teacher would.

With --pool: servers that answer at most --slots requests at once (a full batch makes the
rest wait, as on a GPU server), one endpoint against a pool of two, side by side, and a pool
of two whose first server is killed halfway through (its calls move to the other).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openai

from synthrl.config import TeacherConfig
from synthrl.llm.cache import ResponseCache
from synthrl.llm.client import Request, TeacherClient


def start_server(latency: float, slots: int | None = None) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable, "-m", "synthrl.testing.serve",
        "--script", "echo", "--latency", str(latency), "--port", str(port),
    ]  # fmt: skip
    if slots:
        command += ["--slots", str(slots)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.readline()  # "serving on ..."
    return process, f"http://127.0.0.1:{port}/v1"


async def concurrent(base_url: str, concurrency: int, requests: int, cache_dir: Path) -> float:
    config = TeacherConfig(base_url=base_url, model="bench", concurrency=concurrency)
    client = TeacherClient(config, ResponseCache(cache_dir / f"c{concurrency}.sqlite"))
    batch = [
        Request.chat([{"role": "user", "content": f"prompt {concurrency}-{i}"}])
        for i in range(requests)
    ]
    began = time.perf_counter()
    await client.complete(batch)
    elapsed = time.perf_counter() - began
    await client.close()
    return requests / elapsed


def one_at_a_time(base_url: str, requests: int) -> float:
    client = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0)
    began = time.perf_counter()
    for i in range(requests):
        client.chat.completions.create(
            model="bench", messages=[{"role": "user", "content": f"serial {i}"}]
        )
    return requests / (time.perf_counter() - began)


async def pooled(
    urls: list[str], slots: int, requests: int, cache: Path, kill: subprocess.Popen | None = None
) -> tuple[float, dict[str, int]]:
    """Requests per second through a pool of `urls` (each asked `slots` at a time), and the
    calls each endpoint answered; with `kill`, that server is killed after half the calls."""
    config = TeacherConfig(base_url=urls, model="bench", concurrency=slots, cooldown_s=60)
    client = TeacherClient(config, ResponseCache(cache))
    batch = [
        Request.chat([{"role": "user", "content": f"pool {len(urls)} {i}"}], stage="bench")
        for i in range(requests)
    ]
    done = 0

    def count(_: object) -> None:
        nonlocal done
        done += 1
        if kill is not None and done == requests // 2:
            kill.kill()

    began = time.perf_counter()
    await client.complete(batch, on_done=count)
    elapsed = time.perf_counter() - began
    await client.close()
    used = client.usage.report("bench")["endpoints"]
    return requests / elapsed, {url: used[url]["requests"] for url in used}


def compare_pools(latency: float, slots: int, requests: int) -> None:
    ideal = slots / latency
    each = f"{latency * 1000:.0f} ms each"
    print(f"servers answer {slots} requests at once, {each}; {requests} requests")
    print(f"{'teacher':<44}{'req/s':>9}{'ideal':>9}{'% ideal':>9}   calls per endpoint")
    servers = [start_server(latency, slots) for _ in range(3)]
    urls = [url for _, url in servers]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            runs = [
                ("one endpoint", urls[:1], None, ideal),
                ("a pool of two", urls[:2], None, 2 * ideal),
                ("a pool of two, one killed halfway", urls[1:], servers[1][0], None),
            ]
            single = 0.0
            for name, chosen, kill, best in runs:
                cache = Path(tmp) / f"{len(chosen)}-{name[-6:]}.sqlite"
                rate, calls = asyncio.run(pooled(chosen, slots, requests, cache, kill))
                single = single or rate
                share = f"{best:>9.1f}{100 * rate / best:>8.0f}%" if best else f"{'':>18}"
                answered = " + ".join(str(calls.get(url, 0)) for url in chosen)
                print(f"{name:<44}{rate:>9.1f}{share}   {answered}  ({rate / single:.2f}x one)")
    finally:
        for process, _ in servers:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--requests", type=int, default=640, help="per concurrency level")
    parser.add_argument("--levels", default="1,8,32,64")
    parser.add_argument("--pool", action="store_true", help="one endpoint against a pool of two")
    parser.add_argument("--slots", type=int, default=8, help="with --pool: requests per server")
    args = parser.parse_args()
    if args.pool:
        compare_pools(args.latency, args.slots, args.requests)
        return
    levels = [int(x) for x in args.levels.split(",")]
    serial_count = max(10, int(5 / args.latency))
    server, base_url = start_server(args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"latency {args.latency * 1000:.0f} ms/request, {args.requests} requests/level")
            print(f"{'client':<28}{'req/s':>9}{'ideal':>9}{'% ideal':>9}")
            serial = one_at_a_time(base_url, serial_count)
            ideal = 1 / args.latency
            print(
                f"{'one at a time (reference)':<28}{serial:>9.1f}{ideal:>9.1f}"
                f"{100 * serial / ideal:>8.0f}%"
            )
            for level in levels:
                count = args.requests if level > 1 else serial_count
                rate = asyncio.run(concurrent(base_url, level, count, Path(tmp)))
                ideal = level / args.latency
                print(
                    f"{f'synthrl, concurrency {level}':<28}{rate:>9.1f}{ideal:>9.1f}"
                    f"{100 * rate / ideal:>8.0f}%   {rate / serial:.1f}x reference"
                )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
