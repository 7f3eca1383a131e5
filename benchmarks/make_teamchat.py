"""Write ``benchmarks/data/teamchat_train.tsv``: the training part of sentibot's team-chat set.

Short team-chat messages in three classes, in the product's meaning (frustration at a broken
thing = negative; relief, thanks, praise = positive; a plain status line, question, link or
announcement = neutral), built from hand-written subjects and predicates of software, support,
community and gaming chat. A row equal to, or contained in, a message of the held-out sets
(``teamchat_eval.tsv``, ``workchat_polar.tsv``) is dropped, so those stay unseen.

Usage: ``python benchmarks/make_teamchat.py`` (deterministic).
"""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

THINGS = [
    "the build",
    "CI",
    "the pipeline",
    "prod",
    "production",
    "staging",
    "the deploy",
    "the server",
    "the app",
    "the tests",
    "the test suite",
    "the API",
    "login",
    "the database",
    "the cluster",
    "the website",
    "checkout",
    "the release",
    "the nightly",
    "the job",
    "the integration",
    "the backend",
    "the frontend",
    "the worker",
    "the cron job",
    "auth",
    "the mobile app",
    "the installer",
    "the migration",
    "the webhook",
    "the dashboard",
    "the game",
    "matchmaking",
    "the lobby",
    "the launcher",
    "the stream",
    "voice chat",
    "the bot",
    "the forum",
    "the wiki",
    "the payment page",
    "search",
    "the sync",
    "the backup",
    "the VPN",
    "the runner",
    "docker",
    "the container",
    "the k8s cluster",
    "the load balancer",
    "the ticket system",
    "the helpdesk",
    "the refund process",
    "the customer portal",
    "the SLA",
    "the chat widget",
    "the discord server",
    "the meetup",
    "the livestream",
    "the giveaway",
    "the raid",
    "the new patch",
    "the servers",
    "ranked",
    "the boss fight",
    "the update",
    "the map",
    "the netcode",
    "the event",
    "the email campaign",
    "the signup flow",
]
BAD = [
    "is broken",
    "is broken again",
    "is failing",
    "keeps failing",
    "failed again",
    "is down",
    "is down again",
    "crashed",
    "keeps crashing",
    "is stuck",
    "has been stuck for hours",
    "is throwing errors",
    "throws 500s",
    "timed out again",
    "is super slow",
    "is flaky",
    "broke again",
    "is a mess",
    "is on fire",
    "is dead",
    "is unusable",
    "is lagging badly",
    "segfaults",
    "won't start",
    "is red again",
    "is borked",
    "is totally hosed",
    "is acting up again",
    "fell over",
    "is leaking memory",
    "is bugged",
    "is laggy",
    "keeps disconnecting",
    "got wiped",
    "was a disaster",
    "is so frustrating",
    "is painful",
    "is terrible",
    "is awful",
    "is killing me",
    "blew up",
    "is unplayable",
    "is overloaded",
    "is backed up",
    "is corrupted",
    "went down again",
    "is a nightmare",
    "keeps timing out",
    "is returning garbage",
    "lost our data",
    "is a total failure",
]
GOOD = [
    "is fixed",
    "works now",
    "is green again",
    "passes now",
    "is back up",
    "went smoothly",
    "is so much faster now",
    "looks great",
    "is rock solid now",
    "finally works",
    "is stable again",
    "runs perfectly",
    "is blazing fast",
    "is working great",
    "is fixed, thanks",
    "is healthy again",
    "recovered nicely",
    "is amazing",
    "was a success",
    "was so much fun",
    "is super smooth",
    "is perfect",
    "was awesome",
    "is a huge improvement",
    "saved us",
    "is really nice",
    "is a joy to use",
    "rocks",
    "is excellent",
    "was a big win",
]
NEUTRAL_VERBS = [
    "deploying",
    "restarting",
    "rebuilding",
    "updating",
    "checking",
    "looking at",
    "reviewing",
    "testing",
    "migrating",
    "configuring",
    "documenting",
    "monitoring",
    "benchmarking",
    "refactoring",
    "scaling",
    "upgrading",
    "profiling",
    "tagging",
]
NEUTRAL_QUESTIONS = [
    "who owns {t}?",
    "where are the docs for {t}?",
    "is anyone looking at {t}?",
    "what version is {t} on?",
    "when does {t} run?",
    "how do I restart {t}?",
    "does {t} need a config change?",
    "which team maintains {t}?",
]
NEUTRAL_STATUS = [
    "{v} {t} now",
    "{v} {t} after lunch",
    "I'm {v} {t}",
    "{v} {t} this afternoon",
    "will be {v} {t} tomorrow",
    "FYI: {v} {t} on monday",
    "{v} {t}, see https://example.net/x",
    "the plan for {t} is in the doc",
    "{t} is scheduled for next week",
    "notes on {t}: https://example.net/notes",
    "{t} maintenance window is 2-4am",
]
FRUSTRATION = ["", "", "ugh, ", "seriously, ", "not again, ", "wtf, ", "sigh, ", "argh "]
RELIEF = ["", "", "yay, ", "phew, ", "finally, ", "nice, ", "great news: ", "awesome, "]

HAND = """\
thanks for the quick fix!	positive
you rock, that solved it	positive
great job everyone, smooth launch	positive
thank you, this is super helpful	positive
nice work on the PR	positive
love the new release	positive
the customer is happy now, great work	positive
well played, gg	positive
what a comeback, amazing game	positive
the event was awesome, thanks organisers	positive
appreciate the help	positive
thanks team, you're the best	positive
lgtm, nice and clean	positive
congrats on shipping it	positive
that fix was brilliant	positive
solid review, thanks	positive
this makes my life so much easier	positive
problem fixed, thank you support	positive
the ticket was resolved quickly, great service	positive
happy to report zero incidents this week	positive
everything is running smoothly	positive
the stream was fantastic tonight	positive
welcome, great to have you here	positive
glad it worked out	positive
the new feature is a hit	positive
this is so broken	negative
everything is on fire	negative
nothing works today	negative
I'm so done with this bug	negative
the customer is angry again	negative
support never answered, terrible	negative
this ticket is a nightmare	negative
we got hacked, this is bad	negative
the update ruined everything	negative
the game is unplayable right now	negative
so much lag, I can't play	negative
the servers are garbage today	negative
this PR breaks everything	negative
the demo crashed in front of the client	negative
another failed deploy	negative
data loss again, unacceptable	negative
the error rate is through the roof	negative
I wasted the whole day on this	negative
the docs are wrong again	negative
the release slipped again	negative
too many bugs, users are complaining	negative
customers keep reporting crashes	negative
toxic players everywhere tonight	negative
the raid wiped five times because of bugs	negative
the build has been red for two days	negative
deployed v1.2 to prod	neutral
PR is up for review	neutral
merged into main	neutral
standup in 5	neutral
lunch?	neutral
link to the doc: https://example.org/spec	neutral
https://github.com/acme/api/issues/42	neutral
the agenda is in the calendar invite	neutral
I'm taking friday off	neutral
ticket created	neutral
assigned to me	neutral
the build is running	neutral
tests are running	neutral
who is on call tonight?	neutral
can you share the logs?	neutral
the customer wants an update by monday	neutral
replied to the customer	neutral
ticket moved to in progress	neutral
the server maintenance is on saturday	neutral
new patch is live	neutral
the tournament brackets are posted	neutral
join the voice channel	neutral
anyone online?	neutral
gg	positive
thx	positive
ty!	positive
yes	neutral
no	neutral
done	neutral
k	neutral
on my way	neutral
back in 10	neutral
good morning	neutral
hi all	neutral
the variable is defined in utils.py	neutral
we use redis for the cache	neutral
set the flag to false	neutral
I renamed the function	neutral
the endpoint returns a list	neutral
the release is scheduled for thursday	neutral
we need to update the dependency	neutral
what does this error mean?	neutral
the sprint ends next week	neutral
I'll pair with Alex on this	neutral
the design review is tomorrow	neutral
please fill in the survey	neutral
the stream starts at 8pm	neutral
"""


def held_out() -> list[str]:
    lines = []
    for name in ("teamchat_eval.tsv", "workchat_polar.tsv"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                lines.append(key(line.rsplit("\t", 1)[0]))
    return lines


def key(text: str) -> str:
    """A text's lower-case words and digits, single-spaced (what two texts are compared on)."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def contained(words: str, held: list[str]) -> bool:
    """Whether ``words`` (a ``key``) equal a held-out message's or are contained in one."""
    return any(words == h or f" {words} " in f" {h} " for h in held)


def rows() -> list[tuple[str, str]]:
    rng = random.Random(16)
    out: list[tuple[str, str]] = []
    for thing, bad in itertools.product(THINGS, BAD):
        if rng.random() < 0.25:
            out.append((f"{rng.choice(FRUSTRATION)}{thing} {bad}", "negative"))
    for thing, good in itertools.product(THINGS, GOOD):
        if rng.random() < 0.35:
            out.append((f"{rng.choice(RELIEF)}{thing} {good}", "positive"))
    for thing, verb in itertools.product(THINGS, NEUTRAL_VERBS):
        if rng.random() < 0.4:
            out.append((rng.choice(NEUTRAL_STATUS).format(v=verb, t=thing), "neutral"))
    for thing, question in itertools.product(THINGS, NEUTRAL_QUESTIONS):
        if rng.random() < 0.5:
            out.append((question.format(t=thing), "neutral"))
    out.extend(tuple(line.split("\t")) for line in HAND.splitlines() if line.strip())
    held = held_out()
    kept, seen = [], set()
    for text, label in out:
        words = key(text)
        if words in seen or contained(words, held):
            continue
        seen.add(words)
        kept.append((text[0].upper() + text[1:] if rng.random() < 0.3 else text, label))
    rng.shuffle(kept)
    return kept


def main() -> None:
    kept = rows()
    header = [
        "# sentibot team-chat set, TRAINING part (benchmarks/make_teamchat.py writes it).",
        "# Product meaning: frustration at a broken thing = negative; relief, thanks, praise =",
        "# positive; status lines, questions, links = neutral. text<TAB>label. MIT (sentibot).",
    ]
    body = [f"{text}\t{label}" for text, label in kept]
    (DATA / "teamchat_train.tsv").write_text("\n".join(header + body) + "\n", encoding="utf-8")
    counts = {c: sum(1 for _, lab in kept if lab == c) for c in ("negative", "neutral", "positive")}
    print(f"wrote {len(kept)} rows: {counts}")


if __name__ == "__main__":
    main()
