"""A local HTTP server for the fakes of outside services, started and stopped once."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from pytest_httpserver import HTTPServer

Fake = TypeVar("Fake")


class QuickStopServer(HTTPServer):
    """pytest-httpserver's server, polling for shutdown every 50 ms, not 500 ms."""

    def thread_target(self) -> None:
        """Serve until stopped; the short poll keeps each teardown quick."""
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.05)


@contextmanager
def serving(
    make_fake: Callable[[HTTPServer], Fake], check: bool = True
) -> Iterator[Fake]:
    """Start a threaded loopback server, wrap it in a fake, stop both after.

    Threaded, so a request the fake holds (a timeout, a blocked source) does
    not block the others. An unknown path answers 404, a refusal rather than a
    server error to retry; with `check`, such requests fail the test at the end.
    """
    server = QuickStopServer(host="127.0.0.1", port=0, threaded=True)
    server.no_handler_status_code = 404
    server.start()
    fake = make_fake(server)
    try:
        yield fake
    finally:
        fake.close()
        try:
            if check:
                server.check()
        finally:
            server.stop()
