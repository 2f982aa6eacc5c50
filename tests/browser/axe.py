"""Accessibility checks with axe-core, vendored from npm (axe-core 4.10.3).

Canopy's Content-Security-Policy blocks injected `<script>` tags, so axe's source
goes in through `page.evaluate`: Playwright evaluates over the DevTools protocol,
which the page's CSP does not govern, so no CSP bypass is needed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
# WCAG 2.x A and AA rules, and axe's best practices.
RUN_ONLY = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RUN_AXE = """
async ([context, tags]) => {
  const results = await window.axe.run(context || document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({
      target: node.target.join(" "),
      summary: node.failureSummary,
    })),
  }));
}
"""


@cache
def axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


def inject_axe(page: Page) -> None:
    """Load axe into the page once (again after a navigation)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())


def violations(page: Page, context: str | None = None) -> list[dict]:
    """Every axe violation on the page, or inside the `context` selector."""
    inject_axe(page)
    return page.evaluate(RUN_AXE, [context, RUN_ONLY])


def blocking_violations(page: Page, context: str | None = None) -> list[dict]:
    """The serious and critical violations only."""
    found = violations(page, context)
    return [item for item in found if item["impact"] in BLOCKING_IMPACTS]


def describe(found: list[dict]) -> str:
    """A readable list of violations for an assertion message."""
    lines = []
    for item in found:
        lines.append(f"- {item['id']} ({item['impact']}): {item['help']}")
        for node in item["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['summary']}")
    return "\n".join(lines)


def assert_accessible(page: Page, context: str | None = None) -> None:
    """Fail on any serious or critical axe violation."""
    found = blocking_violations(page, context)
    assert not found, f"axe found serious problems on {page.url}:\n" + describe(found)
