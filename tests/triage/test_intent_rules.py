"""Complaint, churn and other intent rules for how customers actually write (bot/triage/data/*.toml).

Each text is a construction the lexicon is meant to generalise to, written for this test (none is in
the labelled set); the second half pins texts that must not become complaints.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import load_settings
from bot.models import Author, Mention
from bot.triage import triage
from bot.triage.context import context_from_settings
from tests.conftest import REPO
from tests.triage.test_intents import run as intents_of

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    # typed without apostrophes or with common misspellings
    "@acmehelp havent recieved my parcel and its been a week",
    "acme app still doesnt open after the reinstall",
    "cant get through to acme on the phone at all",
    # support that does not help, promises not kept
    "acme support just sends the same copy and paste answer, radio silence since",
    "was promised a callback by acme yesterday. nothing",
    "acme says it's not their problem that the parcel went to the wrong house",
    "@acmehelp any update on my refund? ticket 5512",
    "acme didn't even bother to tell me the order was cancelled",
    "@acmehelp called you 4 times this week about the same fault",
    # outages and time
    "acme app down all afternoon, can't pay for anything",
    "acme wifi has been \"temporarily unavailable\" since monday",
    "a week later and still no word from acme",
    "on the phone to acme for 2 hours this morning",
    "queued for 40 minutes at the acme counter",
    "@acmehelp that was 3 weeks ago",
    # quality and money
    "acme quality has gone downhill, my jumper shrank in the first wash",
    "£4.50 for that? acme what happened",
    "acme support is an absolute joke",
    "acme wants me to pay for their mistake",
    "what exactly are we paying acme for if the service is down every weekend",
    # sarcasm and rhetorical questions
    "acme u ok hun? website's been dead for hours",
    "how is acme allowed to charge a fee for cancelling",
    "@acmehelp is this how you treat loyal customers",
])
def test_real_complaint_constructions_are_complaints(text: str) -> None:
    intents, reasons = intents_of(text)
    assert "complaint" in intents, reasons
    assert any(r.startswith("complaint:") for r in reasons)


@pytest.mark.parametrize(("text", "intent"), [
    ("done with acme. ordering elsewhere from now on", "churn_risk"),
    ("moving my savings out of acme this week", "churn_risk"),
    ("acme has lost a loyal customer", "churn_risk"),
    ("not buying from acme again after this", "churn_risk"),
    ("acme app keeps logging me out since this morning", "bug_report"),
    ("@acmehelp will the app ever get a dark mode option?", "feature_request"),
    ("acme setup was the easiest thing ever, rock solid since", "praise"),
])
def test_other_intents_said_indirectly(text: str, intent: str) -> None:
    intents, reasons = intents_of(text)
    assert intent in intents, reasons


@pytest.mark.parametrize("text", [
    "acme delivered early and everything was perfect, thank you!",
    "@acmehelp how do I change the delivery address on an order?",
    "does the acme hub work without the internet?",
    "acme's new app paid for itself in a month, brilliant",
    "just switched on the acme heater, warm house in minutes. great.",
    "acme support sorted it in ten minutes, really helpful",
])
def test_praise_and_neutral_questions_stay_out_of_complaints(text: str) -> None:
    intents, reasons = intents_of(text)
    assert "complaint" not in intents, reasons


SHIPPED = context_from_settings(load_settings(REPO / "bot.toml"))


@pytest.mark.parametrize(("text", "also"), [
    ("@AmericanAir my flight was cancelled and nobody answers the phone. 3 hours on hold", ()),
    ("still waiting for a refund from @Uber, it's been 2 weeks", ()),
    ("Great, another update that broke my phone. Thanks @Apple", ()),
    ("@VerizonSupport I've been without internet for 3 days. This is ridiculous", ()),
    ("Love how @Comcast charges me more every month for worse service", ()),
    ("@AmazonHelp package says delivered but it's not here", ()),
    ("Why is it so hard to talk to a real person at @BankofAmerica??", ()),
    ("@SpotifyCares the app keeps crashing when I open my playlists", ("bug_report",)),
])
def test_a_complaint_about_any_brand_is_found_with_the_shipped_context(text: str, also: tuple[str, ...]) -> None:
    # What `ronr triage` gives someone evaluating it on their own mentions without editing bot.toml.
    mention = Mention("x", "1", Author("x", "1", "sam", followers=10), text, NOW, "nimbushome")
    intents = triage(mention, SHIPPED, NOW).intents
    assert intents == ("complaint", *also, "off_topic")


@pytest.mark.parametrize(("text", "wanted", "unwanted"), [
    ("wow @acmehelp great service, only took 3 weeks to answer my email", "complaint", "praise"),
    ("the acme hub is fine I guess. does the job", "", "question"),
    ("ok @acmehelp you win, the new app update is actually really good", "praise", "complaint"),
])
def test_sarcastic_waits_plain_statements_and_plain_praise(text: str, wanted: str, unwanted: str) -> None:
    intents, reasons = intents_of(text)
    assert (not wanted or wanted in intents) and unwanted not in intents, reasons
