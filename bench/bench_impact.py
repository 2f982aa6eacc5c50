"""The impact page of the workspace with the most trees."""

from bench.common import Timing, measure


def run_impact(client, repeat: int, warmup: int = 5) -> Timing:
    def get_impact() -> None:
        response = client.get("/impact")
        if response.status_code != 200:
            raise RuntimeError(
                f"/impact: HTTP {response.status_code} (traceback in bench/out/app.log)"
            )

    return measure(get_impact, repeat, warmup)
