"""Warnings about one roster user: one wording each, said once a run whoever finds them."""

from __future__ import annotations

import logging

from pipeline.roster import notices


def test_a_notice_about_one_user_is_said_once_a_run() -> None:
    """validate, extract and build each find that a roster user is unknown or a bot: the CLI's
    filter lets the first say it."""
    said = notices.OncePerRun()

    def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
        made = logging.LogRecord("t", logging.WARNING, __file__, 1, msg, args, None)
        made.__dict__.update(extra)
        return made

    first = notices.unknown("ghost", "teams.csv:3:username")
    assert first.line == (
        "teams.csv:3:username: 'ghost' was not found in GitLab (its username search hides "
        "blocked, banned and LDAP-blocked accounts from a non-admin token, and no extracted merge "
        "request, issue or review event names them); only its teams.csv emails can match commits"
    )
    assert said.filter(record("%s", first.line, **first.extra))
    assert not said.filter(record("%s", notices.unknown("ghost").line, **first.extra))
    bot = notices.bot("ghost", "is a bot account in GitLab")
    assert (
        bot.line
        == "roster user 'ghost' is a bot account in GitLab; it will be left out of the board"
    )
    assert said.filter(record("%s", bot.line, **bot.extra))  # another fact about the same user
    assert said.filter(record("plain progress"))
    assert said.filter(record("plain progress"))  # only notices are kept to once
