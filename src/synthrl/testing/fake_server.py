"""A real HTTP server on 127.0.0.1 that speaks enough of the OpenAI API to test against.

    with FakeServer(responder=ArithmeticTeacher(), latency_s=0.05) as server:
        run_synth(..., base_url=server.base_url)
        server.calls                      # requests answered so far
        server.inject("429", "500")       # the next two requests fail this way

Serves POST /v1/chat/completions, POST /v1/completions and GET /v1/models. A responder maps
(request body, sample index) to the text of one choice. Faults, applied to the next requests
in order: "429", "500", "400", "401", "404" (error statuses), "timeout" (answer only after
`timeout_s`), "drop" (close the connection without answering), "malformed" (a 200 whose body
is not JSON), "html" (a 200 with an HTML error page, as a proxy sends), "empty" (empty
content), "truncated" (half the content, finish_reason "length"), "slow" (a streamed reply
that sends one word every `slow_s`; a whole reply comes after as long as that would take).

A request with `"stream": true` is answered as the OpenAI API streams: server-sent events, one
chunk per word and choice, a finishing chunk per choice, a usage chunk when
`stream_options.include_usage` asks for it, then `data: [DONE]`; with `streams=False`, as a
server that does not stream: one JSON body. After `stop()`, a connection kept alive from before
is closed at its next request, as a server that went down would.

With `slots=K`, at most K requests are answered at once and the rest wait, as on a server
whose batch is full. Run it standalone for manual checks:
`python -m synthrl.testing.serve --port 8001`.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[dict[str, Any], int], str]

ERROR_STATUSES = {"429": 429, "500": 500, "400": 400, "401": 401, "404": 404}


def prompt_text(body: dict[str, Any]) -> str:
    """The prompt of a request: the last user message, or the completion prompt."""
    if "messages" in body:
        users = [m.get("content", "") for m in body["messages"] if m.get("role") == "user"]
        return str(users[-1]) if users else ""
    return str(body.get("prompt", ""))


def echo(body: dict[str, Any], index: int) -> str:
    """Default responder: repeat the prompt's last line."""
    lines = prompt_text(body).strip().splitlines()
    return lines[-1] if lines else ""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # the default backlog of 5 stalls bursts of new connections


class FakeServer:
    """See the module docstring."""

    def __init__(
        self,
        responder: Responder = echo,
        latency_s: float = 0.0,
        honour_n: bool = True,
        timeout_s: float = 2.0,
        slow_s: float = 0.2,
        port: int = 0,
        streams: bool = True,
        slots: int | None = None,
        events_type: str = "text/event-stream",
    ) -> None:
        self.responder = responder
        self.streams = streams
        self.events_type = events_type  # the Content-Type of a streamed reply
        self.stopped = False
        # at most `slots` requests are answered at once (a server's batch); the rest queue
        self._slots = threading.Semaphore(slots) if slots else contextlib.nullcontext()
        self.latency_s = latency_s
        self.honour_n = honour_n
        self.timeout_s = timeout_s
        self.slow_s = slow_s
        self.calls = 0
        self.streamed_requests = 0  # calls that asked for a stream
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls_by_path: Counter[str] = Counter()
        self.prompts: Counter[str] = Counter()
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self._httpd = _HTTPServer(("127.0.0.1", port), self._handler_class())
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def inject(self, *faults: str) -> None:
        """Make the next requests fail, one fault per request, in order."""
        with self._lock:
            self._faults.extend(faults)

    def repeated_prompts(self) -> int:
        """How many requests asked for a prompt (with the same sampling) already asked."""
        with self._lock:
            return sum(count - 1 for count in self.prompts.values() if count > 1)

    def start(self) -> FakeServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopped = True
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_fault(self) -> str | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _record(self, path: str, body: dict[str, Any]) -> None:
        shape = {k: v for k, v in body.items() if k != "n"}
        with self._lock:
            self.calls += 1
            self.streamed_requests += bool(body.get("stream"))
            self.calls_by_path[path] += 1
            self.prompts[json.dumps(shape, sort_keys=True)] += 1

    def _answer(self, path: str, body: dict[str, Any], fault: str | None) -> dict[str, Any]:
        n = int(body.get("n") or 1) if self.honour_n else 1
        chat = path.endswith("/chat/completions")
        choices = []
        completion_tokens = 0
        for i in range(n):
            text, finish = self.responder(body, i), "stop"
            if fault == "empty":
                text = ""
            elif fault == "truncated":
                text, finish = text[: len(text) // 2], "length"
            completion_tokens += len(text.split())
            if chat:
                message = {"role": "assistant", "content": text}
                choices.append({"index": i, "message": message, "finish_reason": finish})
            else:
                choices.append({"index": i, "text": text, "finish_reason": finish})
        prompt_tokens = len(prompt_text(body).split())
        return {
            "id": f"fake-{self.calls}",
            "object": "chat.completion" if chat else "text_completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": choices,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stall

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None):
                self.send_response(status)
                if "Content-Type" not in (headers or {}):
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(payload)

            def _send_events(self, answer: dict[str, Any], usage: bool, pause_s: float) -> None:
                """`answer` streamed: a chunk per word and choice, `pause_s` between chunks."""
                chat = answer["object"] == "chat.completion"
                events = []
                for choice in answer["choices"]:
                    text = choice["message"]["content"] if chat else choice["text"]
                    for piece in re.findall(r"\S+\s*|\s+", text):
                        delta = {"content": piece} if chat else None
                        events.append(_chunk(answer, choice["index"], piece, delta, None))
                    end = {} if chat else None
                    events.append(_chunk(answer, choice["index"], "", end, choice["finish_reason"]))
                if usage:
                    events.append({**_chunk(answer, 0, "", None, None), "choices": []})
                    events[-1]["usage"] = answer["usage"]
                self.send_response(200)
                self.send_header("Content-Type", server.events_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                lines = [f"data: {json.dumps(event)}\n\n".encode() for event in events]
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    for line in [*lines, b"data: [DONE]\n\n"]:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                        self.wfile.flush()
                        if pause_s:
                            time.sleep(pause_s)
                    self.wfile.write(b"0\r\n\r\n")

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    data = {"object": "list", "data": [{"id": "fake", "object": "model"}]}
                    self._send(200, json.dumps(data).encode())
                else:
                    self._send(404, b'{"error": {"message": "not found"}}')

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if server.stopped:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                path = self.path.rstrip("/")
                if not path.endswith(("/chat/completions", "/completions")):
                    self._send(404, b'{"error": {"message": "no such route"}}')
                    return
                server._record(path, body)
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    with server._slots:
                        self._respond(path, body)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _respond(self, path: str, body: dict[str, Any]) -> None:
                fault = server._next_fault()
                if server.latency_s:
                    time.sleep(server.latency_s)
                if fault in ERROR_STATUSES:
                    error = {"error": {"message": f"injected {fault}", "type": "fake"}}
                    headers = {"Retry-After": "0"} if fault == "429" else None
                    self._send(ERROR_STATUSES[fault], json.dumps(error).encode(), headers)
                    return
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault == "timeout":
                    time.sleep(server.timeout_s)
                if fault == "malformed":
                    self._send(200, b'{"choices": [ this is not json')
                    return
                if fault == "html":
                    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
                    self._send(200, page, {"Content-Type": "text/html"})
                    return
                answer = server._answer(path, body, fault)
                pause_s = server.slow_s if fault == "slow" else 0.0
                if body.get("stream") and server.streams:
                    usage = bool((body.get("stream_options") or {}).get("include_usage"))
                    self._send_events(answer, usage, pause_s)
                    return
                if pause_s:  # as long as the streamed reply would take
                    time.sleep(pause_s * answer["usage"]["completion_tokens"])
                self._send(200, json.dumps(answer).encode())

        return Handler


def _chunk(
    answer: dict[str, Any], index: int, text: str, delta: dict | None, finish: str | None
) -> dict[str, Any]:
    """One streamed chunk of `answer`: a chat delta when `delta` is given, else a text piece."""
    choice: dict[str, Any] = {"index": index, "finish_reason": finish}
    if delta is not None:
        choice["delta"] = delta
        kind = "chat.completion.chunk"
    else:
        choice["text"] = text
        kind = "text_completion"
    head = {key: answer[key] for key in ("id", "created", "model")}
    return head | {"object": kind, "choices": [choice]}
