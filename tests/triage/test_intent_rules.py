"""Complaint, churn and other intent rules for how customers actually write (bot/triage/data/*.toml).

Each text is a construction the lexicon is meant to generalise to, written for this test (none is in
the labelled set); the second half pins texts that must not become complaints.
"""

from __future__ import annotations

import pytest

from tests.triage.test_intents import run as intents_of


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
