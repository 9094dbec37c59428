"""The team-only page (LEADERBOARD_PEOPLE=hide) and a team with people not listed, in Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.run_support import AS_OF
from tests.site.test_browser import browser, open_page  # noqa: F401 (fixtures)
from tests.site.test_people_hidden import Demo, demo  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

VIEWED = dt.datetime.fromisoformat(AS_OF) + dt.timedelta(hours=2)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_team_only_page_says_why_and_opens_a_team(
    browser: Any,  # noqa: F811
    demo: Demo,  # noqa: F811
    width: int,
) -> None:
    for watched in open_page(
        browser, demo.hide.public, now=VIEWED, viewport={"width": width, "height": 900}
    ):
        page = watched.page
        note = page.locator("#people-note")
        expect(note).to_be_visible()
        expect(note).to_contain_text("People are not shown.")
        expect(note).to_contain_text("LEADERBOARD_PEOPLE=hide")
        expect(page.locator("#controls")).to_be_visible()
        assert page.locator("#controls [data-view]").count() == 0
        assert page.locator("#board-people").count() == 0
        expect(page.locator("#board-teams")).to_be_visible()
        expect(page.locator("#bars")).to_contain_text("teams by score")
        page.locator("#board-teams tbody th button").first.click()
        expect(page.locator("#detail h2")).to_contain_text("Team ")
        expect(page.locator("#detail section.kind").first).to_be_visible()
        expect(page.locator("#detail .people-hidden")).to_be_visible()
        # items say what was done, not who did it
        first = page.locator("#detail ol.items li").first.text_content() or ""
        assert " \u00b7 null" not in first
        page.keyboard.press("Escape")
        expect(page.locator("#detail")).to_be_hidden()
        watched.assert_clean()


def test_a_link_to_a_person_opens_the_teams_view_instead(
    browser: Any,  # noqa: F811
    demo: Demo,  # noqa: F811
) -> None:
    site = (demo.hide.public / "index.html").as_uri() + "#view=people&open=person&in=Data&who=hiro"
    for watched in open_page(browser, site, now=VIEWED):
        page = watched.page
        expect(page.locator("#board-teams")).to_be_visible()
        expect(page.locator("#detail")).to_be_hidden()
        assert "view=teams" in page.evaluate("location.hash")
        watched.assert_clean()


def test_a_team_with_people_not_listed_says_how_many(
    browser: Any,  # noqa: F811
    demo: Demo,  # noqa: F811
) -> None:
    for watched in open_page(browser, demo.unlisted.public, now=VIEWED):
        page = watched.page
        expect(page.locator("#people-note")).to_contain_text("3 people are not listed")
        assert page.locator("#board-people tbody tr[data-username='alice']").count() == 0
        page.click("#controls button[data-view='teams']")
        page.locator("#board-teams tbody th[data-team='Platform'] button").click()
        expect(page.locator("#detail h2")).to_have_text("Team Platform, last 30 days")
        expect(page.locator("#detail .unlisted")).to_have_text(
            "and 2 people not listed: counted in the team's totals and items, named nowhere."
        )
        members = page.locator("#detail ul.members li").all_text_contents()
        assert members and not [m for m in members if m.startswith(("alice", "nadia"))]
        expect(page.locator("#detail section.kind").first).to_be_visible()
        watched.assert_clean()
