"""The pipeline's pure stage over a batch: triage, policy engine and guardrails on facts read in advance.

:class:`BatchDecider` turns one batch of stored mentions into :class:`bot.store.ingest.Outcome`
values from a :class:`bot.store.ingest.BatchReads` (read once for the batch) and nothing else. It
decides the mentions in order and keeps what the earlier ones change in memory, so that each mention
sees exactly what the one-by-one path (``bot.pipeline.process_one_by_one``) would read from the store.

Of everything the engine and the guardrails read, only one fact changes as a batch is decided: the
reply texts queued for an author (``ContactStore.suggested_to_author``), which gain each new pending
suggestion. The rest cannot change within a batch, because the pipeline writes no outbox row, opens
loops only as ``waiting_reply`` (no reply yet, not counted by the author's history) and adds no
mention: copies of a text, loops, sent texts, the do-not-contact list, unanswered replies in a
thread and today's replies are read once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config import Settings
from bot.models import Mention, Triage
from bot.policy.engine import BrandVoice, History, suggest
from bot.policy.gate import checked, dnc_reason, limits, listed_in_config, local_midnight, text_window
from bot.policy.guardrails import Facts, handle_key
from bot.policy.rules import Rule
from bot.store.ingest import AuthorPast, BatchReads, Outcome
from bot.triage import TriageContext
from bot.triage.priority import sla_due

Triager = Callable[..., Triage]


def copies_within(ctx: TriageContext) -> timedelta:
    """How far before a mention copies of its text from other authors count (``[triage] spam_same_text_days``)."""
    return timedelta(days=ctx.spam_same_text_days)


@dataclass
class BatchDecider:
    """Decides mentions in order for one ``now``, carrying the queued texts earlier mentions added."""

    settings: Settings
    rules: list[Rule]
    brand: BrandVoice
    ctx: TriageContext
    hours: dict[str, float]
    now: datetime
    queued: dict[int, list[str]] = field(default_factory=dict)  # author id -> texts queued by this batch

    def __post_init__(self) -> None:
        self.limits = limits(self.settings)
        self.copies_within = copies_within(self.ctx)
        self.window = text_window(self.settings, self.now)
        self.midnight = local_midnight(self.settings, self.now)

    def handles(self, batch: list[tuple[int, Mention]]) -> set[tuple[str, str]]:
        """The (platform, stored handle) pairs of the batch's authors, for the do-not-contact read."""
        return {(m.platform, handle_key(m.author.handle)) for _, m in batch}

    def decide(self, mention_id: int, mention: Mention, reads: BatchReads, triage: Triager) -> Outcome:
        """Triage one mention and propose its suggestion, as the one-by-one path would at this point."""
        result = triage(mention, self.ctx, self.now, duplicate_authors=reads.same_text_authors.get(mention_id, 0))
        author = reads.author_of[mention_id]
        past = reads.past.get(author, AuthorPast())
        sent = reads.sent_texts.get(author, [])
        # The engine and the identical-text guardrail only test these texts for equality: order and repeats
        # do not change an outcome, so each distinct text is read once.
        queued = self.queued.get(author, []) + reads.queued_texts.get(author, [])
        history = History(past.replies, past.open_loop, past.last_reply, tuple(sent + queued))
        proposal = suggest(mention, result, self.rules, history, self.brand, self.now)
        if proposal is not None and proposal.action != "ignore" and proposal.text:
            stored = reads.blocked.get((mention.platform, handle_key(mention.author.handle)))
            known = Facts(do_not_contact=dnc_reason(listed_in_config(self.settings, mention), stored),
                          unanswered_in_thread=reads.unanswered.get(mention_id, 0),
                          replies_today=reads.replies_since.get(mention.platform, 0), recent_texts=tuple(sent))
            proposal = checked(proposal, mention, known, self.limits, self.rules, self.now)
        return Outcome(mention_id, mention, result, proposal, sla_due(mention.created_at, result.priority, self.hours))

    def remember(self, outcome: Outcome, reads: BatchReads) -> None:
        """Carry a decided mention's effect on the later ones: its reply text, once it is queued pending."""
        p = outcome.proposal
        if p is None or outcome.mention_id in reads.has_reply or p.action == "ignore" or p.blocked_by or not p.text:
            return
        self.queued.setdefault(reads.author_of[outcome.mention_id], []).append(p.text)
