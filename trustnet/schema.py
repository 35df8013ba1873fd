"""The canonical tables every stage works on, and the names of their columns.

Column names are defined once, here; stages import the constants instead of
writing string literals. The alias tables that map real export headers onto
these columns live in :mod:`trustnet.aliases`.

>>> REFERRAL_COLUMNS[:3]
('referrer', 'referred', 'provider')
>>> DIMENSIONS
('people', 'process', 'platform')
"""

from __future__ import annotations

__all__ = [
    "REFERRER", "REFERRED", "PROVIDER", "REFERRED_AT", "STATUS", "REVENUE", "CHANNEL",
    "CONVERTED_AT", "REFERRER_EMAIL", "REFERRED_EMAIL", "REFERRER_NAME", "REFERRED_NAME",
    "FINGERPRINT", "SOURCE_LINE",
    "CUSTOMER", "AT", "TOUCHPOINT", "DIMENSION", "SCORE", "SCALE", "EVENT", "RESPONSE_DAYS",
    "VALUE", "COMMENT",
    "REFERRAL_COLUMNS", "REFERRAL_REQUIRED", "TOUCHPOINT_COLUMNS", "TOUCHPOINT_REQUIRED",
    "RATING_COLUMNS", "RATER", "RATEE", "RATING", "RATED_AT",
    "DIMENSIONS", "PEOPLE", "PROCESS", "PLATFORM",
    "STATUSES", "PENDING", "CONVERTED", "DECLINED", "CHURNED",
    "SCALES", "EVENTS",
]

# --- referrals: one row per referral -------------------------------------------------
REFERRER = "referrer"          #: who recommended (the advocate); required
REFERRED = "referred"          #: who was recommended to (the customer); required
PROVIDER = "provider"          #: whom they recommended; one default provider if absent
REFERRED_AT = "referred_at"    #: when (datetime)
STATUS = "status"              #: pending / converted / declined / churned
REVENUE = "revenue"            #: value of the referred customer (float)
CHANNEL = "channel"            #: how (link, email, social, in person, ...)
CONVERTED_AT = "converted_at"  #: when the referral converted (datetime), where exported
REFERRER_EMAIL = "referrer_email"  #: e-mail of the referrer when the id is not an e-mail
REFERRED_EMAIL = "referred_email"  #: e-mail of the referred when the id is not an e-mail
REFERRER_NAME = "referrer_name"
REFERRED_NAME = "referred_name"
FINGERPRINT = "fingerprint"    #: IP / device / payment fingerprint of the referred, where exported
SOURCE_LINE = "source_line"    #: line number in the input file (1 = header line)

REFERRAL_REQUIRED = (REFERRER, REFERRED)
REFERRAL_COLUMNS = (
    REFERRER, REFERRED, PROVIDER, REFERRED_AT, STATUS, REVENUE, CHANNEL,
    CONVERTED_AT, REFERRER_EMAIL, REFERRED_EMAIL, REFERRER_NAME, REFERRED_NAME, FINGERPRINT,
)

# --- touchpoints: one row per interaction, rating or event about a relationship -----
CUSTOMER = "customer"
AT = "at"
TOUCHPOINT = "touchpoint"          #: free text naming the interaction ("app rating", "billing call")
DIMENSION = "dimension"            #: people / process / platform; inferred from touchpoint when absent
SCORE = "score"
SCALE = "scale"                    #: nps, csat, stars, signed, unit (see SCALES)
EVENT = "event"                    #: complaint, resolved, unresolved, outage, ... (see EVENTS)
RESPONSE_DAYS = "response_days"
VALUE = "value"
COMMENT = "comment"                #: free text; dropped from every output when anonymising

TOUCHPOINT_REQUIRED = (CUSTOMER,)
TOUCHPOINT_COLUMNS = (
    CUSTOMER, PROVIDER, AT, TOUCHPOINT, DIMENSION, SCORE, SCALE, EVENT, RESPONSE_DAYS, VALUE, COMMENT,
)

# --- rating networks: rater rates ratee (Bitcoin OTC, advice networks) --------------
RATER = "rater"
RATEE = "ratee"
RATING = "rating"
RATED_AT = "rated_at"
RATING_COLUMNS = (RATER, RATEE, RATING, RATED_AT)

# --- vocabularies ---------------------------------------------------------------------
PEOPLE, PROCESS, PLATFORM = "people", "process", "platform"
DIMENSIONS = (PEOPLE, PROCESS, PLATFORM)

PENDING, CONVERTED, DECLINED, CHURNED = "pending", "converted", "declined", "churned"
STATUSES = (PENDING, CONVERTED, DECLINED, CHURNED)

#: scale name -> (lowest, highest) score on it
SCALES = {
    "nps": (0.0, 10.0),
    "csat": (1.0, 5.0),
    "stars": (1.0, 5.0),
    "signed": (-10.0, 10.0),
    "unit": (0.0, 1.0),
}

EVENTS = (
    "complaint", "resolved", "unresolved", "outage", "delay", "refund_denied", "refund",
    "churned", "praise", "escalation", "contact",
)
