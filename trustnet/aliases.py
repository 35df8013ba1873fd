"""The header alias tables: which export headers mean which canonical column.

Headers are compared after :func:`normalise_header` (case-folded, every
character that is not a letter or a digit removed), so ``"Referrer E-mail"``,
``"referrer_email"`` and ``"ReferrerEmail"`` are the same header. Each table
maps a canonical column (:mod:`trustnet.schema`) onto the headers real tools
export, most specific first; the loader takes, for each canonical column, the
first alias present in the file and never uses one header twice.

The tables were grown from the exports of referral platforms (Friendbuy,
Extole, Smile.io, ReferralCandy, Viral Loops, GrowSurf, Mention Me, Talkable,
Yotpo, ReferralHero, Ambassador), CRMs (Salesforce, HubSpot, Dynamics 365,
Pipedrive, Zoho) and survey and support tools (Delighted, Qualtrics,
SurveyMonkey, Typeform, Zendesk, Freshdesk, Intercom, Help Scout, Gorgias).
Vendor layouts that need more than aliases (value maps, extra header rows)
live in ``trustnet/profiles/*.toml``.

>>> normalise_header(" Referred-By  (E-mail) ")
'referredbyemail'
>>> "referredby" in REFERRAL_ALIASES["referrer"]
True
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Iterable, Mapping

from . import schema as S

__all__ = [
    "normalise_header",
    "REFERRAL_ALIASES",
    "REFERRAL_EXTRA_ALIASES",
    "PARTICIPANT_ALIASES",
    "TOUCHPOINT_ALIASES",
    "RATING_ALIASES",
    "TICKET_ALIASES",
    "REFERRAL_RATING_COLUMNS",
    "STATUS_VALUES",
    "EVENT_VALUES",
    "TRUE_VALUES",
    "AGGREGATE_SIGNS",
]

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def normalise_header(header: object) -> str:
    """Case-fold a header and drop everything that is not a letter or digit.

    Parameters
    ----------
    header : object
        A column header as found in the file (``None`` counts as empty).

    Returns
    -------
    str
        The comparison key used by every alias table.

    Examples
    --------
    >>> normalise_header("Friend E-mail Address")
    'friendemailaddress'
    >>> normalise_header("referrerId")
    'referrerid'
    """
    if header is None:
        return ""
    return _NOT_ALNUM.sub("", str(header).casefold())


def _table(raw: Mapping[str, Iterable[str]]) -> Mapping[str, tuple[str, ...]]:
    out = {}
    for column, aliases in raw.items():
        keys: list[str] = []
        for alias in (column, *aliases):
            key = normalise_header(alias)
            if key and key not in keys:
                keys.append(key)
        out[column] = tuple(keys)
    return MappingProxyType(out)


#: canonical referral column -> headers that mean it, most specific first
REFERRAL_ALIASES = _table({
    S.REFERRER: (
        "referrer", "referrer email", "referrer email address", "referrer id", "referring customer",
        "referring customer email", "referring customer id", "referring member", "referrer customer id",
        "referrer user id", "referred by", "referred by email", "referred by customer email",
        "referred by customer", "referred by contact", "referred by id",
        "advocate email", "advocate email address", "advocate", "advocate id", "advocate person id",
        "advocate customer id", "advocate user id", "sender customer", "sender customer email",
        "sender email", "sender", "sharer", "sharer email", "inviter", "inviter email", "invited by",
        "ambassador", "ambassador email", "ambassador id", "promoter", "promoter email", "affiliate",
        "affiliate email", "referrer contact", "referrer account", "recommended by", "source customer",
        "from email",
    ),
    S.REFERRED: (
        "referred", "referred email", "referred id", "referred friend", "referred friend email",
        "referred customer", "referred customer email", "referred customer id", "referred user id",
        "referee", "referee email", "referee id", "referral email", "referral email address",
        "friend email", "friend email address", "friend", "friend id", "friend customer id",
        "friend person id", "receiver customer", "receiver customer email", "receiver email",
        "recipient", "recipient email", "invitee", "invitee email", "new customer", "new customer email",
        "purchaser email", "client email", "clientemail", "lead email", "contact email", "customer email",
        "email", "email address", "customer", "customer id", "to email",
    ),
    # "Account" alone is the provider's account (a marketplace's tradesperson, a franchise's branch);
    # "Account Name"/"Company" in CRM deal exports name the (referred) customer's company instead
    S.PROVIDER: (
        "provider", "provider id", "provider name", "referred to", "business", "business name", "merchant",
        "store", "store name", "shop", "brand", "branch", "location", "site", "program", "programme",
        "campaign program", "tradesperson", "practice", "vendor", "account",
    ),
    S.REFERRED_AT: (
        "referred at", "referral date", "referral created at", "referral created", "date referred",
        "shared at", "share date", "invited at", "invite date", "sent at", "date sent", "signup date",
        "signed up at", "joined at", "created at", "created date", "created", "createddate",
        "date created", "creation date", "created on", "lead created", "timestamp", "date", "time",
    ),
    S.STATUS: (
        "status", "referral status", "conversion status", "reward status", "state", "stage",
        "lead status", "opportunity stage", "deal stage", "statecode", "statuscode", "outcome",
    ),
    S.REVENUE: (
        "revenue", "referred revenue", "order total", "order value", "order amount", "total",
        "total price", "amount", "purchase amount", "purchase value", "sale amount", "sales",
        "subtotal", "deal amount", "opportunity amount", "estimated value", "annual value",
        "lifetime value", "ltv", "clv", "customer value", "value", "conversion value",
    ),
    S.CHANNEL: (
        "channel", "referral channel", "share channel", "sharing channel", "medium", "share medium",
        "lead source", "leadsourcecode", "lead source code", "origin", "referral source", "utm source",
        "utm medium", "platform", "network", "method", "source", "share type", "share method",
    ),
    S.CONVERTED_AT: (
        "converted at", "conversion date", "converted date", "date converted", "purchased at",
        "purchase date", "order date", "first order date", "close date", "closedate", "closed at",
        "won date", "completed at", "rewarded at", "reward date",
    ),
    S.REFERRER_EMAIL: (
        "referrer email", "referrer email address", "advocate email", "referring customer email",
        "sender customer email", "sender email", "sharer email", "inviter email", "referred by email",
        "referred by customer email", "ambassador email", "promoter email", "affiliate email",
    ),
    S.REFERRED_EMAIL: (
        "referred email", "referred friend email", "friend email", "referee email", "referral email",
        "receiver customer email", "receiver email", "recipient email", "invitee email",
        "purchaser email", "client email", "clientemail", "new customer email", "customer email",
        "contact email", "lead email", "email", "email address",
    ),
    S.REFERRER_NAME: (
        "referrer name", "advocate name", "referring customer name", "sender name", "sharer name",
        "inviter name", "referred by name", "ambassador name", "advocate first name", "referrer first name",
    ),
    S.REFERRED_NAME: (
        "referred name", "friend name", "referee name", "referred friend name", "receiver name",
        "recipient name", "invitee name", "customer name", "contact name", "full name", "name",
        "friend first name", "first name", "account name", "company", "company name",
    ),
    S.FINGERPRINT: (
        "fingerprint", "device fingerprint", "device id", "ip", "ip address", "friend ip",
        "referred ip", "purchaser ip", "browser ip", "payment fingerprint", "card fingerprint",
    ),
})

#: referral columns that are not canonical but steer row accounting
REFERRAL_EXTRA_ALIASES = _table({
    "self_referred": ("is self referred", "isselfreferred", "self referral", "self referred", "is self referral"),
})

#: participant files: one row per person naming who referred them
PARTICIPANT_ALIASES = _table({
    "id": (
        "id", "participant id", "user id", "customer id", "member id", "contact id", "person id",
        "referral code", "referralcode", "code", "unique id", "uid",
    ),
    "email": (
        "email", "email address", "customer email", "participant email", "user email", "member email",
        "contact email", "e mail",
    ),
    "referred_by": (
        "referrer id", "referrerid", "referred by", "referredby", "referred by id",
        "referred by customer email", "referred by email", "referred by customer", "referrer",
        "referrer email", "referrer code", "referred by code", "referral source code", "inviter id",
        "invited by", "parent id", "sponsor id", "sponsor",
    ),
    "name": ("name", "full name", "customer name", "first name"),
    "joined_at": (
        "created at", "createdat", "created", "signup date", "signed up at", "joined at", "joined",
        "date joined", "registration date", "created date", "date",
    ),
    "status": ("status", "state", "referral status", "conversion status"),
    "revenue": ("revenue", "order total", "total spent", "amount", "value", "order value"),
})

#: canonical touchpoint column -> headers that mean it
TOUCHPOINT_ALIASES = _table({
    S.CUSTOMER: (
        "customer", "customer id", "customer email", "requester", "requester email", "requester id",
        "requester name", "respondent", "respondent email", "respondent id", "contact", "contact email",
        "contact id", "recipient email", "recipient", "person email", "person", "user email", "user",
        "user id", "email", "email address", "client", "client email", "account", "member",
        "from email", "reporter", "end user", "end user email", "visitor email",
    ),
    # not "organization"/"company" (in support and CRM exports that is the customer's company)
    # nor "agent"/"assignee" (a person inside the provider)
    S.PROVIDER: (
        "provider", "provider id", "provider name", "business", "business name", "brand", "store", "shop",
        "merchant", "branch", "location", "practice", "tradesperson", "site", "vendor", "product",
    ),
    S.AT: (
        "at", "date", "created at", "created", "created date", "date created", "created time",
        "ticket created", "response date", "responded at", "survey date", "submitted at",
        "submit date", "submission date", "end date", "enddate", "recorded date", "recordeddate",
        "completed at", "timestamp", "time", "occurred at", "event date",
    ),
    S.TOUCHPOINT: (
        "touchpoint", "touch point", "interaction", "interaction type", "type", "ticket type",
        "channel", "source", "via", "survey", "survey name", "question", "topic", "category",
        "subject", "event name", "activity",
    ),
    S.DIMENSION: ("dimension", "trust dimension", "layer"),
    S.SCORE: (
        "score", "nps", "nps score", "net promoter score", "likelihood to recommend", "ltr",
        "how likely are you to recommend", "how likely is it that you would recommend",
        "how likely is it that you would recommend us to a friend or colleague",
        "recommend score", "rating", "satisfaction", "satisfaction rating", "satisfaction score",
        "csat", "csat score", "customer satisfaction", "customer satisfaction rating", "stars",
        "star rating", "review rating", "review score", "ces", "customer effort score", "q1", "response",
    ),
    S.SCALE: ("scale", "score scale", "rating scale"),
    S.EVENT: ("event", "event type", "outcome", "status", "ticket status", "resolution", "state"),
    S.RESPONSE_DAYS: (
        "response days", "first reply time in days", "first response days", "days to respond",
        "first reply time in hours", "first reply time hrs", "first response time in hrs",
        "first response time hrs", "first response time hours", "first reply time in minutes",
        "first reply time in minutes within business hours", "first reply time", "first response time",
        "time to first response", "response time", "resolution time in hrs", "resolution time",
        "full resolution time in minutes", "full resolution time in hours", "time to resolution",
    ),
    S.VALUE: ("value", "amount", "revenue", "order value", "account value", "arr", "mrr", "ltv"),
    S.COMMENT: (
        "comment", "comments", "feedback", "reason", "why", "verbatim", "open ended response",
        "satisfaction comment", "review", "review text", "text", "body", "description", "notes",
        "what is the primary reason for your score",
    ),
})

#: extra touchpoint sources found in support-ticket exports (not canonical columns)
TICKET_ALIASES = _table({
    "solved_at": (
        "solved at", "solved", "resolved at", "resolved time", "resolved date", "closed at", "closed time",
        "closed date", "resolution date", "date closed",
    ),
    "reopens": ("reopens", "reopen count", "reopened", "times reopened", "number of reopens"),
    "ticket_id": ("ticket id", "ticket", "ticket number", "case number", "case id", "conversation id"),
})

#: rating networks: rater rates ratee
RATING_ALIASES = _table({
    S.RATER: ("rater", "source", "from", "truster", "rater id", "src", "u", "node1", "ego", "sender"),
    S.RATEE: ("ratee", "target", "to", "trustee", "ratee id", "dst", "v", "node2", "alter", "receiver"),
    S.RATING: ("rating", "weight", "score", "sign", "trust", "value", "w"),
    S.RATED_AT: ("rated at", "timestamp", "time", "date", "unixtime", "created at", "ts"),
})

#: rating columns inside a referral export that feed touchpoints:
#: normalised header -> (touchpoint name, dimension or None, scale or None)
REFERRAL_RATING_COLUMNS: Mapping[str, tuple[str, str | None, str | None]] = MappingProxyType({
    normalise_header(h): v
    for h, v in {
        "nps": ("nps", None, "nps"),
        "nps score": ("nps", None, "nps"),
        "net promoter score": ("nps", None, "nps"),
        "likelihood to recommend": ("nps", None, "nps"),
        "csat": ("csat", None, "csat"),
        "satisfaction": ("csat", None, "csat"),
        "satisfaction rating": ("csat", None, "csat"),
        "people score": ("people rating", S.PEOPLE, None),
        "people trust": ("people rating", S.PEOPLE, None),
        "advocate rating": ("advocate rating", S.PEOPLE, None),
        "staff rating": ("staff rating", S.PEOPLE, None),
        "process score": ("process rating", S.PROCESS, None),
        "process trust": ("process rating", S.PROCESS, None),
        "service rating": ("service rating", S.PROCESS, None),
        "platform score": ("platform rating", S.PLATFORM, None),
        "platform trust": ("platform rating", S.PLATFORM, None),
        "app rating": ("app rating", S.PLATFORM, "stars"),
        "website rating": ("website rating", S.PLATFORM, None),
    }.items()
})

#: status value (normalised) -> canonical status
STATUS_VALUES: Mapping[str, str] = MappingProxyType({
    normalise_header(v): status
    for status, values in {
        S.CONVERTED: (
            "converted", "conversion", "complete", "completed", "won", "closed won", "closedwon",
            "approved", "rewarded", "reward issued", "reward sent", "paid", "purchased", "purchase",
            "success", "successful", "qualified", "customer", "fulfilled", "redeemed", "accepted",
            "confirmed", "active", "signed", "converted to customer", "ordered", "yes", "true", "1",
        ),
        S.PENDING: (
            "pending", "open", "new", "in progress", "invited", "sent", "shared", "clicked", "opened",
            "signed up", "signup", "registered", "lead", "awaiting", "waiting", "unconverted",
            "not converted", "working", "contacted", "nurturing", "on hold", "review", "in review",
            "under review", "pending review", "created", "started",
        ),
        S.DECLINED: (
            "declined", "rejected", "denied", "lost", "closed lost", "closedlost", "disqualified",
            "expired", "invalid", "fraud", "fraudulent", "blocked", "ineligible", "void", "voided",
            "failed", "no", "false", "0", "cancelled", "canceled", "not interested", "unqualified",
        ),
        S.CHURNED: (
            "churned", "churn", "lapsed", "inactive", "unsubscribed", "cancelled subscription",
            "subscription cancelled", "refunded", "returned", "former customer", "lost customer",
            "closed account", "account closed",
        ),
    }.items()
    for v in values
})

#: event value (normalised) -> canonical event (support statuses included)
EVENT_VALUES: Mapping[str, str] = MappingProxyType({
    normalise_header(v): event
    for event, values in {
        "complaint": ("complaint", "complained", "problem", "incident", "issue", "bug"),
        "resolved": ("resolved", "solved", "closed", "fixed", "done", "completed"),
        "unresolved": ("unresolved", "open", "pending", "new", "on hold", "hold", "waiting", "reopened"),
        "outage": ("outage", "downtime", "down", "service down", "unavailable"),
        "delay": ("delay", "delayed", "late", "late delivery"),
        "refund_denied": ("refund denied", "refund rejected", "refund refused"),
        "refund": ("refund", "refunded", "refund issued"),
        "churned": ("churned", "churn", "cancelled", "canceled", "left"),
        "praise": ("praise", "compliment", "thanks", "kudos"),
        "escalation": ("escalation", "escalated"),
        "contact": ("contact", "question", "call", "chat", "email", "task", "inquiry", "enquiry"),
    }.items()
    for v in values
})

#: values (normalised) read as true in flag columns such as Salesforce's IsSelfReferred
TRUE_VALUES = frozenset(normalise_header(v) for v in ("true", "yes", "y", "1", "t", "x"))

#: headers whose presence, without any referrer/referred pair, marks an aggregate report
AGGREGATE_SIGNS = frozenset(
    normalise_header(h)
    for h in (
        "referrals", "total referrals", "referral count", "number of referrals", "referrals made",
        "shares", "total shares", "clicks", "total clicks", "conversions", "total conversions",
        "conversion rate", "signups", "sign ups", "participants", "impressions", "rank",
        "friends referred", "successful referrals", "revenue generated", "rewards earned", "leads",
    )
)
