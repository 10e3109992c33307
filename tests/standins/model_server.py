"""A stand-in OpenAI-compatible model server (stdlib only) for the supervisor's tests.

    python tests/standins/model_server.py --port P --crash SIGILL   # dies on its first request
    python tests/standins/model_server.py --port P --reply 你好       # answers every request so
    python tests/standins/model_server.py --port P --slow LOG        # streams forever, logs stop
    python tests/standins/model_server.py --port P --record LOG      # logs each request body

It is a real process: a crash is a real signal delivered to it, as llama.cpp's SIGILL would be.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--crash", default="")
    parser.add_argument("--reply", default="2")
    parser.add_argument("--slow", default="")
    parser.add_argument("--record", default="")
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def _json(self, payload: dict) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self._json({"object": "list", "data": [{"id": "local", "object": "model"}]})

        def do_POST(self):
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if args.record:
                with open(args.record, "a", encoding="utf-8") as log:
                    log.write(json.dumps(request, ensure_ascii=False) + "\n")
            if args.crash:
                os.kill(os.getpid(), getattr(signal, args.crash))
                time.sleep(5)
            if not request.get("stream"):
                message = {"role": "assistant", "content": args.reply}
                self._json({"id": "x", "object": "chat.completion", "model": "local",
                            "choices": [{"index": 0, "message": message,
                                         "finish_reason": "stop"}]})  # fmt: skip
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            tokens = iter(lambda: "很", None) if args.slow else iter([args.reply])
            sent = 0
            try:
                for token in tokens:
                    chunk = {"id": "x", "object": "chat.completion.chunk", "model": "local",
                             "choices": [{"index": 0, "delta": {"content": token}}]}  # fmt: skip
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    sent += 1
                    if args.slow:
                        time.sleep(0.05)
                self.wfile.write(b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):  # the client went away: stop
                with open(args.slow, "a", encoding="utf-8") as log:
                    log.write(f"stopped after {sent}\n")

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
