"""A local Tree-Nation that plants at once, so archive timings measure Canopy only.

It answers `POST /api/plant` like the real service (bearer token, one tree per unit
of quantity, `order_id` as an idempotency key) and counts the calls it received.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "bench-token"


class InstantTreeNation:
    """Serve on a free loopback port in a background thread; count plant calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.trees = 0
        self._lock = threading.Lock()
        self._processed: set[str] = set()
        self._next_tree = 1
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api"

    def __enter__(self) -> "InstantTreeNation":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, headers, body: bytes) -> tuple[int, dict]:
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {"message": "Unauthenticated."}
        order = json.loads(body)
        quantity = int(order["quantity"])
        with self._lock:
            self.calls += 1
            if order["order_id"] in self._processed:
                return 200, {
                    "status": "error",
                    "errorCode": "already_processed",
                    "errorMessage": "already processed",
                }
            self._processed.add(order["order_id"])
            first = self._next_tree
            self._next_tree += quantity
            self.trees += quantity
        trees = [
            {
                "id": number,
                "token": f"t{number}",
                "collect_url": f"https://tree-nation.com/trees/collect/t{number}",
                "certificate_url": f"https://tree-nation.com/certificate/t{number}",
                "species_id": 112,
                "species_name": "Rhizophora mucronata",
                "species_life_time_CO2": 308.5,
                "project_id": 31,
                "project_name": "Mangrove restoration",
                "country": "Madagascar",
            }
            for number in range(first, first + quantity)
        ]
        return 200, {"status": "ok", "payment_id": first, "trees": trees}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.rstrip("/") != "/api/plant":
                    status, payload = 404, {"message": "Not found."}
                else:
                    status, payload = fake.answer(self.headers, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args) -> None:
                return None

        return Handler
