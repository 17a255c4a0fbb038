"""Steps of the journeys, as a person does them in the browser (mouse or keyboard only).

Locators are what a person sees: labels, link text, button names. A step that cannot find
its control by that name fails, which is also a check that the control is named.
"""

from __future__ import annotations

import re
from typing import Any

from tests.browser.support import (
    ConsoleWatch,
    axe_violations,
    layout_faults,
    overflow,
    tab_to,
)


class Person:
    """One person's browser tab, at one size, with or without a mouse."""

    def __init__(self, page: Any, base: str, keyboard: bool = False) -> None:
        self.page = page
        self.base = base
        self.keyboard = keyboard
        self.console = ConsoleWatch(page)

    # --- checks -------------------------------------------------------------------------
    def check(self, where: str) -> None:
        """The page as it stands (a form's errors, a success banner) passes what the crawler
        checks every page for: axe, no sideways scroll, layout, no console errors."""
        page = self.page
        problems = [f"axe {v['id']}: {v['help']} {v['nodes']}" for v in axe_violations(page)]
        wide = overflow(page)
        if wide:
            problems.append(f"overflow {wide}")
        problems += layout_faults(page)
        errors = self.console.take()
        if page.locator(".govuk-error-summary").count():
            # A form sent back with its errors answers 400, which Chromium logs for the
            # document itself; that is the page working, not failing.
            errors = [
                e
                for e in errors
                if not (e.startswith("Failed to load resource") and f"({page.url})" in e)
            ]
        problems += [f"console {e}" for e in errors]
        assert not problems, f"{where} ({page.url}):\n" + "\n".join(problems)

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    # --- moving around --------------------------------------------------------------------
    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def nav(self, label: str) -> None:
        """Follow an item of the service navigation (behind "Menu" on a phone)."""
        page = self.page
        menu = page.get_by_role("button", name="Menu")
        link = page.get_by_role("navigation", name="Menu").get_by_role("link", name=label)
        if self.keyboard:
            if menu.is_visible():
                tab_to(page, "button.govuk-service-navigation__toggle")
                page.keyboard.press("Enter")
            self._focus(link)
            with page.expect_navigation():
                page.keyboard.press("Enter")
        else:
            if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
                menu.click()
            link.click()
        page.wait_for_load_state()

    def follow(self, name: str, exact: bool = False) -> None:
        """Follow a link (or a link styled as a button) by its text."""
        page = self.page
        # A start link (`<a role="button">`) is a button to assistive technology.
        target = page.get_by_role("link", name=name, exact=exact).or_(
            page.locator("a[role=button]").filter(has_text=name)
        )
        self._activate(target.first)

    def press(self, name: str, exact: bool = False) -> None:
        """Press a button by its text."""
        self._activate(self.page.get_by_role("button", name=name, exact=exact).first)

    def _activate(self, target: Any) -> None:
        if self.keyboard:
            self._focus(target)
            with self.page.expect_navigation():
                self.page.keyboard.press("Enter")
        else:
            target.click()
        self.page.wait_for_load_state()

    def _focus(self, target: Any, limit: int = 150) -> None:
        """Tab until `target` has focus (as tab_to, for a locator)."""
        target.wait_for(state="visible")
        for _ in range(limit):
            if target.evaluate("el => el === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{target} never received focus with Tab")

    # --- filling in -----------------------------------------------------------------------
    def fill(self, label: str, text: str, exact: bool = True) -> None:
        field = self.page.get_by_label(label, exact=exact).first
        if self.keyboard:
            self._focus(field)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(text)
        else:
            field.fill(text)

    def choose(self, label: str, option: str | re.Pattern[str]) -> str:
        """Pick the option of a select whose text matches `option`; returns its text."""
        select = self.page.get_by_label(label, exact=True).first
        texts = select.locator("option").all_inner_texts()
        wanted = next(
            t
            for t in texts
            if (option.search(t) if isinstance(option, re.Pattern) else t.strip() == option)
        )
        if self.keyboard:
            self._focus(select)
            # A closed select takes arrow keys: from the first option down to the one wanted.
            self.page.keyboard.press("Home")
            for _ in range(len(texts)):
                current = select.evaluate("el => el.options[el.selectedIndex].text")
                if current == wanted:
                    break
                self.page.keyboard.press("ArrowDown")
            assert select.evaluate("el => el.options[el.selectedIndex].text") == wanted
        else:
            select.select_option(label=wanted)
        return wanted

    def radio(self, label: str) -> None:
        radio = self.page.get_by_role("radio", name=label, exact=True)
        if self.keyboard:
            name = radio.get_attribute("name")
            group = self.page.locator(f"input[type=radio][name='{name}']")
            for _ in range(150):
                if group.evaluate_all("els => els.includes(document.activeElement)"):
                    break
                self.page.keyboard.press("Tab")
            for _ in range(group.count() + 1):
                if radio.is_checked():
                    break
                self.page.keyboard.press("ArrowDown")
            if not radio.is_checked():
                self.page.keyboard.press("Space")
            assert radio.is_checked(), f"could not choose {label} with the keyboard"
        else:
            radio.check()

    def tick(self, label: str) -> None:
        box = self.page.get_by_label(label, exact=True)
        if self.keyboard:
            self._focus(box)
            self.page.keyboard.press("Space")
            assert box.is_checked()
        else:
            box.check()

    def errors(self) -> str:
        """The error summary's text, if the page shows one (for failure messages)."""
        summary = self.page.locator(".govuk-error-summary")
        return summary.inner_text() if summary.count() else f"no error summary on {self.page.url}"

    def success_banner(self) -> str:
        return self.page.locator(".govuk-notification-banner--success").inner_text()
