"""The one place that decides between a fragment and a full page."""

from flask import Flask, Response, render_template, request


def wants_fragment() -> bool:
    """Say whether this request should get a fragment rather than a page.

    Boosted requests and history restores replace the whole page, so they get
    the full page like any plain browser request.
    """
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(page: str, fragment: str, **context) -> str:
    """Render the fragment for htmx requests, else the page that includes it."""
    return render_template(fragment if wants_fragment() else page, **context)


def init_htmx(app: Flask) -> None:
    @app.after_request
    def vary_on_htmx(response: Response) -> Response:
        # Pages and fragments share URLs, so caches must key on the header.
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        return response
