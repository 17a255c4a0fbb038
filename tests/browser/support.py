"""What the browser tests do to a page: sign in, run axe-core, measure, look for overflow.

axe-core 4.14.1 is vendored in tests/browser/vendor/axe-core (MPL-2.0, copied there by
`make frontend` from npm), so a test run needs no Node and no network.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django_otp.oath import TOTP

from localdev.demo_councils import DEMO_TOTP_SECRET

CHROMIUM = shutil.which("chromium")
# The flags that keep Chromium off the network it would otherwise reach for at start-up
# (update checks, sync, component downloads): this machine has no route out, and refused
# connections show up as noise and delays.
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# CI sets this: there a browser test that cannot run fails instead of skipping.
REQUIRED = os.environ.get("CASELOAD_REQUIRE_BROWSER") == "1"


def browser_unavailable() -> str | None:
    if CHROMIUM is None:
        return (
            "Chromium not found: `make test` installs Debian's chromium with apt-get when run "
            "as root; otherwise install it with `apt-get install -y chromium`"
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    return None


def require_chromium() -> str:
    """Chromium's path; else skip with the reason (fail where CASELOAD_REQUIRE_BROWSER=1)."""
    import pytest

    reason = browser_unavailable()
    if reason:
        if REQUIRED:
            pytest.fail(f"CASELOAD_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")
        pytest.skip(reason)
    assert CHROMIUM is not None
    return CHROMIUM


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium under Playwright (never `playwright install`: no browser download)."""
    return playwright.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)


AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SLOW_PAGE_SECONDS = 2.0

_AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""

# The widest elements that stick out past the viewport, to say what overflows.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scroll = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  if (scroll <= width) return null;
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      // Skip elements inside a scrolling container: they scroll there, not the page.
      let p = el.parentElement, inside = false;
      while (p && p !== document.body) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden") { inside = true; break; }
        p = p.parentElement;
      }
      if (inside) continue;
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string"
          ? "." + el.className.trim().split(/\\s+/).join(".") : "");
      culprits.push(`${name} right=${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: scroll, width, culprits: culprits.slice(-6)};
}"""


# Layout faults a screen reader or axe would not notice: text in another font than the
# page's one stack (a serif fallback), and content wider than the column that holds it
# (a table running under the next column), unless it scrolls inside its own region.
_LAYOUT = """() => {
  const faults = [];
  const bodyFont = getComputedStyle(document.body).fontFamily;
  const fonts = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    // Code is set in the monospace stack on purpose.
    if (!el || el.closest("script,style,noscript,[hidden],code,pre,kbd,samp")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (style.fontFamily !== bodyFont && !fonts.has(style.fontFamily)) {
      fonts.set(style.fontFamily, el.tagName.toLowerCase() + "." +
        (typeof el.className === "string" ? el.className.trim().replace(/\\s+/g, ".") : "") +
        " '" + node.textContent.trim().slice(0, 30) + "'");
    }
  }
  for (const [family, where] of fonts) faults.push(`font ${family} on ${where}`);
  // Two elements with one id: a label or an error link then points at the wrong one.
  const ids = new Map();
  for (const el of document.querySelectorAll("[id]")) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  for (const [id, n] of ids) if (n > 1) faults.push(`id "${id}" used ${n} times`);
  const scrolls = (el) => {
    for (let p = el; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll") return true;
    }
    return false;
  };
  // Innermost first, so each wide element is reported once, against its own column.
  const columns = [...document.querySelectorAll(
      "[class*='govuk-grid-column-'], .govuk-main-wrapper, .govuk-width-container")].reverse();
  const reported = new Set();
  for (const col of columns) {
    if (col.scrollWidth <= col.clientWidth + 1 || getComputedStyle(col).overflowX !== "visible") {
      continue;
    }
    const right = col.getBoundingClientRect().right;
    // Grid rows and the footer are wider than their container by design (negative margins).
    for (const el of col.querySelectorAll("table, pre, img, svg, form, dl, select, textarea")) {
      if (reported.has(el) || el.getBoundingClientRect().right <= right + 1) continue;
      if (scrolls(el.parentElement)) continue;
      // The outermost element that sticks out, not each of its descendants.
      let inner = el.parentElement, outer = false;
      for (; inner && inner !== col; inner = inner.parentElement) {
        if (reported.has(inner)) { outer = true; break; }
      }
      reported.add(el);
      if (outer) continue;
      faults.push(`${el.tagName.toLowerCase()}.${(el.className || "").toString().trim()
        .split(/\\s+/)[0]} is ${Math.round(el.getBoundingClientRect().width)} px wide, past `
        + `its ${col.clientWidth} px ${col.className.split(" ")[0]}`);
    }
  }
  return faults;
}"""


# The last time step whose code each person used: django-otp accepts a code once, so a
# second sign-in within the same 30 s uses the next step's (one step of drift is allowed).
_used_steps: dict[str, int] = {}


def second_factor_code(email: str) -> str:
    """What the demo authenticator app shows now for `email` (admins and central staff are
    enrolled with the demo key, localdev.demo_councils.DEMO_TOTP_SECRET), computed with
    django-otp's own TOTP, never one it has already accepted."""
    key = base64.b32decode(DEMO_TOTP_SECRET)
    totp = TOTP(key, step=30, t0=0, digits=6)
    step = totp.t()
    if _used_steps.get(email, -1) >= step + 1:
        time.sleep(30 - time.time() % 30 + 0.5)  # both usable steps taken: wait for a new one
        step = totp.t()
    if _used_steps.get(email, -1) >= step:
        step += 1
    _used_steps[email] = step
    totp.time = step * 30
    return f"{totp.token():06d}"


def sign_in(page: Any, base_url: str, email: str, password: str, keyboard: bool = False) -> None:
    """Sign in through the login form as a person would (with the keyboard only: Tab to each
    field, Enter to submit), ending on the page they land on.

    The one place a journey or the crawler signs in. Someone with a second factor (admins
    and central staff) is then asked for the code from their authenticator app, which is
    typed the same way.
    """
    page.goto(f"{base_url}/login/")
    if keyboard:
        tab_to(page, "#id_username")
        page.keyboard.type(email)
        tab_to(page, "#id_password")
        page.keyboard.type(password)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/login/code/" in page.url:
        code = second_factor_code(email)
        if keyboard:
            tab_to(page, "#id_code")
            page.keyboard.type(code)
            with page.expect_navigation():
                page.keyboard.press("Enter")
        else:
            page.get_by_label("Security code").fill(code)
            page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    assert "/login/" not in page.url, f"sign-in as {email} failed: {page.url}"


def tab_to(page: Any, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has focus: proves it is reachable
    with the keyboard, in the page's tab order."""
    target = page.locator(selector).first
    target.wait_for(state="attached")
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never received focus after {limit} Tab presses")


@dataclass
class PageCheck:
    url: str
    size: str
    seconds: float = 0.0
    status: int = 0
    violations: list[dict[str, Any]] = field(default_factory=list)
    overflow: dict[str, Any] | None = None
    layout: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        out = []
        if self.status >= 400:
            out.append(f"HTTP {self.status}")
        for v in self.violations:
            out.append(f"axe {v['id']} ({v['impact']}): {v['help']} {json.dumps(v['nodes'])}")
        if self.overflow:
            out.append(f"overflow: {json.dumps(self.overflow)}")
        out += [f"layout: {fault}" for fault in self.layout]
        out += [f"console: {e}" for e in self.console_errors]
        if self.seconds > SLOW_PAGE_SECONDS:
            out.append(f"slow: {self.seconds:.2f} s")
        return out


def axe_violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as a <script> element: the
        # page's Content-Security-Policy (rightly) refuses inline script it did not sign.
        page.evaluate(f"() => {{ {AXE_JS.read_text()}\n }}")
    return page.evaluate(_AXE_RUN, AXE_TAGS)


def overflow(page: Any) -> dict[str, Any] | None:
    return page.evaluate(_OVERFLOW)


def layout_faults(page: Any) -> list[str]:
    return page.evaluate(_LAYOUT)


def load_seconds(page: Any) -> float:
    """From the start of navigation to the end of the load event, as the browser timed it."""
    timing = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n ? n.loadEventEnd - n.startTime : -1; }"
    )
    return max(timing, 0) / 1000


class ConsoleWatch:
    """Collects a page's console errors and uncaught exceptions."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _console(self, msg: Any) -> None:
        # GOV.UK Frontend reports a component that failed to start with console.log of the
        # error (an ElementError, say), not console.error: those count too.
        if msg.type == "error" or re.match(r"\w*Error\b", msg.text):
            self.errors.append(f"{msg.text.splitlines()[0]} ({msg.location.get('url', '')})")

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


def wait_until(predicate: Any, timeout: float = 30.0, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(interval)
