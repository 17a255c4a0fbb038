"""A crawler that checks every page a person can reach, at both sizes.

From the start pages it follows every same-site link, and visits each page once per
distinct route and set of query parameters, up to `per_route` different URLs of a route
(the 26th case page looks like the 2nd). Each page is loaded once at 1,280x800, then the
window is resized to 390x844 (the CSS is media queries over server-rendered HTML, so a
resize shows what a phone gets without a second request), and at each size it records:
axe-core's WCAG 2.0-2.2 A/AA violations, horizontal overflow (phone), console errors and
uncaught exceptions, the load time, and the HTTP status.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.urls import Resolver404, resolve

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.support import (
    ConsoleWatch,
    PageCheck,
    axe_violations,
    layout_faults,
    load_seconds,
    overflow,
)

# Routes that answer with a file, not a page: fetched (status and type checked), not shown.
DOWNLOADS = {
    "caseload:attachment-download",
    "caseload:audit-export",
    "correspondence:batch-print",
    "correspondence:letterhead-sample",
    "console:comparison-csv",
    "console:report-all",
    "console:report-council",
    "privacy_casework:subject-access-archive",
}
# Paths never followed: sign-out is a POST form; static files and the API are not pages.
NOT_FOLLOWED_PREFIXES = ("/static/", "/media/", "/api/", "/logout/")


_WRITE_CONTROLS = """() => [
  ...[...document.querySelectorAll("form")]
    .filter(f => (f.getAttribute("method") || "").toLowerCase() === "post"
      && !(f.getAttribute("action") || "").endsWith("/logout/"))
    .map(f => "form " + new URL(f.getAttribute("action") || location.href, location.href).pathname),
  ...[...document.querySelectorAll("[hx-post],[hx-put],[hx-patch],[hx-delete]")]
    .map(e => "htmx " + e.tagName.toLowerCase()),
]"""


@dataclass
class Download:
    url: str
    status: int
    content_type: str


@dataclass
class CrawlResult:
    checks: list[PageCheck] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)
    routes: Counter = field(default_factory=Counter)
    pages: list[str] = field(default_factory=list)
    # Controls that change something on each page: POST forms (their action) and htmx
    # posts, sign-out left out. A read-only council must show none.
    post_forms: dict[str, list[str]] = field(default_factory=dict)

    def problems(self) -> list[str]:
        out = []
        for check in self.checks:
            out += [f"{check.size} {check.url}: {p}" for p in check.problems()]
        for d in self.downloads:
            if d.status != 200:
                out.append(f"download {d.url}: HTTP {d.status}")
        return out


def route_of(path: str, urlconf: str) -> str | None:
    try:
        return resolve(path, urlconf=urlconf).view_name
    except Resolver404:
        return None


class Crawler:
    def __init__(
        self,
        page: Any,
        origin: str,
        urlconf: str,
        per_route: int = 2,
    ) -> None:
        self.page = page
        self.origin = origin
        self.urlconf = urlconf
        self.per_route = per_route
        self.console = ConsoleWatch(page)
        self.result = CrawlResult()
        self.seen: set[str] = set()
        self.per_key: Counter = Counter()

    def _key(self, url: str) -> tuple[str, frozenset[str]] | None:
        parts = urlsplit(url)
        route = route_of(parts.path, self.urlconf)
        if route is None:
            return None
        return route, frozenset(k for k, _ in parse_qsl(parts.query, keep_blank_values=True))

    def _wanted(self, url: str) -> bool:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return False
        return not parts.path.startswith(NOT_FOLLOWED_PREFIXES)

    def crawl(self, start: list[str], direct: bool = False) -> CrawlResult:
        """Check `start` and what their links lead to. `direct`: the start pages are checked
        even if their routes have had their share of visits."""
        forced = {self.origin + path for path in start} if direct else set()
        queue: deque[str] = deque(self.origin + path for path in start)
        while queue:
            url = queue.popleft().split("#", 1)[0]
            if url in self.seen or not self._wanted(url):
                continue
            key = self._key(url)
            if key is None:
                # A link to nothing: record it as a page so the 404 shows in the problems.
                key = ("<unresolved>", frozenset({url}))
            if self.per_key[key] >= self.per_route and url not in forced:
                continue
            self.seen.add(url)
            self.per_key[key] += 1
            if key[0] in DOWNLOADS:
                self.result.routes[key[0]] += 1
                # fetch() in the page: the browser's cookies and its resolver (which maps
                # *.localhost to the loopback; Playwright's own request client does not).
                status, content_type = self.page.evaluate(
                    "async (url) => { const r = await fetch(url);"
                    " return [r.status, r.headers.get('content-type') || '']; }",
                    url,
                )
                self.result.downloads.append(Download(url, status, content_type))
                continue
            queue.extend(self.check(url))
        return self.result

    def check(self, url: str) -> list[str]:
        """Check one page at both sizes; return the links on it."""
        page = self.page
        page.set_viewport_size(DESKTOP)
        response = page.goto(url, wait_until="load")
        status = response.status if response else 0
        seconds = load_seconds(page)
        if page.url != url:
            # Redirected (sign-in, or a page that sends this person elsewhere): what was
            # checked is where it landed.
            url = page.url
            self.seen.add(url)
        self.result.routes[route_of(urlsplit(url).path, self.urlconf) or "<unresolved>"] += 1
        desktop = PageCheck(url=url, size="desktop", seconds=seconds, status=status)
        desktop.violations = axe_violations(page)
        desktop.overflow = overflow(page)
        desktop.layout = layout_faults(page)
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        self.result.post_forms[url] = page.evaluate(_WRITE_CONTROLS)
        page.set_viewport_size(PHONE)
        phone = PageCheck(url=url, size="phone", seconds=seconds, status=status)
        phone.overflow = overflow(page)
        phone.layout = layout_faults(page)
        phone.violations = axe_violations(page)
        errors = self.console.take()
        desktop.console_errors = errors
        self.result.checks += [desktop, phone]
        self.result.pages.append(url)
        page.set_viewport_size(DESKTOP)
        return links
