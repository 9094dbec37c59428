"""Co-authors in the demo organisation: `Co-authored-by:` trailers of real-world shapes written into
some of acme/app's recent commit messages, each commit keeping what git reads from them
(`Commit.coauthors`) for tests to check a parse against.

The shapes: several co-authors; keys in mixed case and a person named twice; a folded value; two
malformed values beside a good one; the author naming themselves with another address; bots; a
stranger nobody on the roster claims; a `Signed-off-by` block that is only partly trailers (git's
25% rule keeps it); and two messages whose trailer-like lines are no trailer block (a plain line
among them, or a paragraph after them), which credit nobody. Only messages change (titles,
authors, dates and SHAs stay), on a random stream of their own, so nothing else moves.
"""

from __future__ import annotations

import datetime as dt
import random

from pipeline.sim.org.model import Commit, Dataset

Shape = tuple[list[str], list[tuple[str, str]]]  # trailer lines, what git reads from them


def _shapes(ds: Dataset, author: Commit) -> list[Shape]:
    nr = ds.noreply_domain
    return [
        (
            ["Co-authored-by: Bob O'Brien <Bob.OBrien@Acme.Example>",
             f"Co-authored-by: Chloe Chen <4-chloe@{nr}>"],
            [("Bob O'Brien", "Bob.OBrien@Acme.Example"), ("Chloe Chen", f"4-chloe@{nr}")],
        ),
        (
            ["co-authored-by: Nadia <nadia@acme.example>",
             "CO-AUTHORED-BY: Nadia N. <NADIA@acme.example>"],
            [("Nadia", "nadia@acme.example"), ("Nadia N.", "NADIA@acme.example")],
        ),
        (
            ["Co-authored-by: Erin", "  Example <erin@acme.example>"],
            [("Erin Example", "erin@acme.example")],
        ),
        (
            ["Co-authored-by: Dmitri Ivanov", "Co-authored-by: Kim <kim at acme dot example>",
             "Co-authored-by: Hiro <HIRO@ACME.EXAMPLE>"],
            [("Hiro", "HIRO@ACME.EXAMPLE")],
        ),
        (
            [f"Co-authored-by: {author.author_name} <{author.author_email}>",
             "Co-authored-by: Alice Archer <alice@laptop>",
             "Co-authored-by: Grace <grace@acme.example>"],
            [(author.author_name, author.author_email), ("Alice Archer", "alice@laptop"),
             ("Grace", "grace@acme.example")],
        ),
        (
            ["Co-authored-by: renovate[bot] <bot@renovateapp.example>",
             "Co-authored-by: CI <ci-bot@acme.example>",
             "Co-authored-by: Jules <jules@acme.example>"],
            [("renovate[bot]", "bot@renovateapp.example"), ("CI", "ci-bot@acme.example"),
             ("Jules", "jules@acme.example")],
        ),
        (
            ["Co-authored-by: Quinn Contractor <quinn@contractor.example>"],
            [("Quinn Contractor", "quinn@contractor.example")],
        ),
        (
            ["Reviewed at the Tuesday meeting.", "Signed-off-by: Farid <farid@acme.example>",
             "Co-authored-by: Kim <kim@acme.example>"],
            [("Kim", "kim@acme.example")],
        ),
        (["Co-authored-by: Ines <ines@acme.example>", "Thanks to everyone who tested this."], []),
        (["Co-authored-by: Ines <ines@acme.example>", "", "A closing remark."], []),
    ]  # fmt: skip


def add_coauthors(ds: Dataset, seed: int) -> None:
    """Trailers in recent single-parent commits of acme/app authored by alice (the self-naming
    shape needs an author with several addresses), each shape on its own commit."""
    rng = random.Random(f"coauthors-{seed}")
    app = ds.projects[101]
    since = ds.now - dt.timedelta(days=120)
    candidates = sorted(
        sha
        for sha in ds.log(app.branches[app.default_branch])
        if len(ds.commits[sha].parent_ids) == 1
        and ds.commits[sha].authored_date >= since
        and ds.commits[sha].author_email.lower().startswith("alice@")
    )
    count = len(_shapes(ds, ds.commits[candidates[0]]))
    for index, sha in enumerate(rng.sample(candidates, count)):
        commit = ds.commits[sha]
        lines, read = _shapes(ds, commit)[index]
        commit.message = f"{commit.title}\n\nWork done together.\n\n" + "\n".join(lines) + "\n"
        commit.coauthors = read
