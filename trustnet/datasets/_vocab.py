"""The words and numbers that make a generated world look like a real business.

Two kinds of world share one simulation and differ only in what is defined
here: a home-services marketplace (tradespeople as providers, jobs as revenue)
and a subscription business (one brand reached through an app, a website and a
phone line). Every touchpoint name contains a keyword that maps it to one trust
dimension (or none, for the generic surveys); no name contains keywords of two
dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import schema

__all__ = ["KindSpec", "KINDS", "TOUCHPOINT_DIMENSION", "FIRST_NAMES", "LAST_NAMES"]

# scale codes used internally (index into SCALE_NAMES); -1 = no score
SCALE_NAMES = ("nps", "csat", "stars", "unit")
NPS, CSAT, STARS, UNIT = range(4)
NO_SCALE = -1


@dataclass(frozen=True)
class KindSpec:
    """Everything that differs between two kinds of world.

    Examples
    --------
    >>> spec = KINDS["home-services"]
    >>> spec.name, spec.customers_per_provider, spec.channels
    ('home-services', 80, ('app', 'website', 'chatbot'))
    >>> sorted(KINDS)
    ['home-services', 'subscription']
    """

    name: str
    #: customers per provider when ``providers`` is not given (0 = always one provider)
    customers_per_provider: int
    #: share of the customers who were already customers when the export starts
    base_share: float
    #: median days between two contacts of a relationship (its own rhythm)
    gap_median_days: float
    #: probability that a contact concerns people / process / platform
    dimension_mix: tuple[float, float, float]
    people: tuple[tuple[str, int, float], ...]      # (touchpoint, scale, weight)
    process: tuple[tuple[str, int, float], ...]
    channels: tuple[str, ...]                       # platform channels
    platform: tuple[tuple[tuple[str, int, float], ...], ...]  # per channel
    outage: tuple[str, ...]                         # per channel
    complaint: tuple[str, ...]
    delay: tuple[str, ...]
    praise: str
    praise_scale: int
    welcome_survey: str                             # generic survey after joining (csat)
    onboarding: tuple[str, int]                     # the first contact, days after joining
    referral_channels: tuple[tuple[str, float, float, float], ...]  # (name, share, beta a, beta b)
    #: referral attempts per month of a customer with propensity 1 who fully trusts
    referral_rate: float
    #: median revenue of one converted referral, and its log-normal spread
    revenue_median: float
    revenue_sigma: float
    #: spread of the provider's revenue level around the median (log scale)
    provider_revenue_sigma: float
    #: (mean, spread) of the providers' hidden quality per dimension
    quality: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]


HOME_SERVICES = KindSpec(
    name="home-services",
    customers_per_provider=80,
    base_share=0.2,
    gap_median_days=75.0,
    dimension_mix=(0.4, 0.37, 0.23),
    people=(("technician visit", STARS, 0.6), ("advisor meeting", CSAT, 0.4)),
    process=(("installation", CSAT, 0.3), ("repair", STARS, 0.3), ("billing", CSAT, 0.25),
             ("delivery", STARS, 0.15)),
    channels=("app", "website", "chatbot"),
    platform=(
        (("app rating", STARS, 0.7), ("app login", NO_SCALE, 0.3)),
        (("website quote form", CSAT, 0.7), ("portal login", NO_SCALE, 0.3)),
        (("chatbot", UNIT, 1.0),),
    ),
    outage=("app outage", "website outage", "chatbot outage"),
    complaint=("repair complaint", "billing complaint", "installation complaint"),
    delay=("installation delay", "delivery delay"),
    praise="technician visit",
    praise_scale=STARS,
    welcome_survey="CSAT survey",
    onboarding=("technician visit", STARS),
    referral_channels=(("in person", 0.35, 5.0, 2.5), ("whatsapp", 0.3, 4.0, 3.0),
                       ("link", 0.2, 2.5, 3.5), ("email", 0.15, 2.5, 3.5)),
    referral_rate=0.16,
    revenue_median=650.0,
    revenue_sigma=0.55,
    provider_revenue_sigma=0.6,
    quality=((0.72, 0.12), (0.64, 0.15), (0.62, 0.15)),
)

SUBSCRIPTION = KindSpec(
    name="subscription",
    customers_per_provider=0,
    base_share=0.25,
    gap_median_days=35.0,
    dimension_mix=(0.28, 0.32, 0.40),
    people=(("agent call", CSAT, 0.6), ("technician visit", STARS, 0.25), ("advisor meeting", CSAT, 0.15)),
    process=(("billing", CSAT, 0.4), ("installation", CSAT, 0.2), ("repair", STARS, 0.2),
             ("delivery", STARS, 0.2)),
    channels=("app", "web", "phone"),
    platform=(
        (("app rating", STARS, 0.65), ("app login", NO_SCALE, 0.35)),
        (("website checkout", CSAT, 0.6), ("portal login", NO_SCALE, 0.2), ("chatbot", UNIT, 0.2)),
        (("IVR call", CSAT, 1.0),),
    ),
    outage=("app outage", "website outage", "IVR outage"),
    complaint=("billing complaint", "repair complaint", "delivery complaint"),
    delay=("installation delay", "delivery delay", "repair delay"),
    praise="agent call",
    praise_scale=CSAT,
    welcome_survey="CSAT survey",
    onboarding=("installation", CSAT),
    referral_channels=(("link", 0.4, 2.5, 3.5), ("email", 0.15, 2.5, 3.5), ("social", 0.2, 2.0, 4.0),
                       ("app share", 0.15, 3.0, 3.0), ("in person", 0.1, 5.0, 2.5)),
    referral_rate=0.15,
    revenue_median=540.0,
    revenue_sigma=0.35,
    provider_revenue_sigma=0.2,
    quality=((0.66, 0.03), (0.6, 0.03), (0.6, 0.03)),
)

KINDS = {HOME_SERVICES.name: HOME_SERVICES, SUBSCRIPTION.name: SUBSCRIPTION}

# Names used by the generic rows of every kind
NPS_SURVEY = "NPS survey"
RESOLUTION = "complaint resolution"
FOLLOW_UP = "complaint follow-up"
REFUND = "billing refund request"
CANCELLATION = "billing cancellation"

#: The dimension each generated touchpoint name belongs to (None: a generic survey).
#: The generated files carry no dimension column; this is the truth behind the names.
TOUCHPOINT_DIMENSION: dict[str, str | None] = {NPS_SURVEY: None, "CSAT survey": None}
for _kind in KINDS.values():
    for _name, _s, _w in _kind.people:
        TOUCHPOINT_DIMENSION[_name] = schema.PEOPLE
    for _name, _s, _w in _kind.process:
        TOUCHPOINT_DIMENSION[_name] = schema.PROCESS
    for _chan in _kind.platform:
        for _name, _s, _w in _chan:
            TOUCHPOINT_DIMENSION[_name] = schema.PLATFORM
    for _name in _kind.outage:
        TOUCHPOINT_DIMENSION[_name] = schema.PLATFORM
    for _name in (*_kind.complaint, *_kind.delay):
        TOUCHPOINT_DIMENSION[_name] = schema.PROCESS
for _name in (RESOLUTION, FOLLOW_UP, REFUND, CANCELLATION):
    TOUCHPOINT_DIMENSION[_name] = schema.PROCESS
#: The same, as an index into ``schema.DIMENSIONS`` (generic surveys left out).
TOUCHPOINT_DIMENSION_INDEX = {name: schema.DIMENSIONS.index(dim) for name, dim in TOUCHPOINT_DIMENSION.items() if dim}

#: event codes used internally (index into EVENT_NAMES); -1 = no event
EVENT_NAMES = ("complaint", "resolved", "unresolved", "outage", "delay", "refund_denied", "refund",
               "churned", "praise")
(EV_COMPLAINT, EV_RESOLVED, EV_UNRESOLVED, EV_OUTAGE, EV_DELAY, EV_REFUND_DENIED, EV_REFUND,
 EV_CHURNED, EV_PRAISE) = range(len(EVENT_NAMES))
NO_EVENT = -1

TRADES = (
    ("Tiling", 900), ("Plumbing", 380), ("Roofing", 3200), ("Carpentry", 1100), ("Electrics", 520),
    ("Painting", 1400), ("Gardening", 240), ("Cleaning", 130), ("Plastering", 800), ("Glazing", 1600),
    ("Flooring", 1300), ("Heating", 2100), ("Locksmiths", 160), ("Joinery", 1500), ("Paving", 2600),
    ("Fencing", 950), ("Kitchens", 5200), ("Bathrooms", 4300), ("Decorating", 700), ("Damp Proofing", 1800),
    ("Handyman", 190), ("Removals", 850), ("Pest Control", 210), ("Chimney Sweeps", 110),
    ("Solar", 6400), ("Insulation", 2300), ("Guttering", 420), ("Tree Surgery", 780),
    ("Bricklaying", 1700), ("Appliance Repair", 150),
)

BRANDS = (
    "Lumen Fibre", "Northwind Mobile", "Orbit Energy", "Parcel & Pantry", "Harbour Streaming",
    "Kestrel Insurance", "Tandem Gym", "Meadow Meals", "Beacon Broadband", "Juniper Water",
)

TOWNS = (
    "Leeds", "Bristol", "York", "Bath", "Derby", "Exeter", "Hull", "Leicester", "Norwich", "Oxford",
    "Preston", "Reading", "Salford", "Stoke", "Swindon", "Truro", "Wells", "Wigan", "Worcester", "Luton",
    "Cardiff", "Dundee", "Galway", "Cork", "Belfast", "Inverness", "Perth", "Stirling", "Bangor", "Ely",
    "Lincoln", "Carlisle", "Durham", "Chester", "Lancaster", "Hereford", "Kendal", "Whitby", "Ripon", "Selby",
)

FIRST_NAMES = (
    "Ada", "Bram", "Chloe", "Dev", "Elif", "Finn", "Grace", "Hamza", "Ines", "Jonas", "Kemi", "Liam",
    "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tess", "Umar", "Vera", "Wes", "Xena",
    "Yusuf", "Zoë", "Amara", "Bjorn", "Cleo", "Dario", "Emma", "Farah", "Gus", "Hana", "Ivo", "Jade",
    "Kai", "Lena", "Marek", "Nadia", "Omar", "Pia", "Rafael", "Sofia", "Theo", "Una", "Victor", "Wren",
    "Yara", "Zane", "Aoife", "Benoît", "Carmen", "Dmitri", "Esther", "Felix", "Gwen", "Hugo", "Isla",
    "José", "Karin", "Lukas", "Mei", "Nils", "Orla", "Pavel", "Rhys", "Sanne", "Tomas", "Ulla",
)

LAST_NAMES = (
    "Adeyemi", "Bauer", "Clarke", "Dubois", "Evans", "Fischer", "García", "Hughes", "Ivanova", "Jansen",
    "Kowalski", "Lambert", "Müller", "Novak", "O'Brien", "Patel", "Quint", "Rossi", "Schmidt", "Taylor",
    "Uddin", "Varga", "Walsh", "Xu", "Yilmaz", "Zimmermann", "Ahmed", "Brown", "Costa", "Dijkstra",
    "Eriksen", "Fontaine", "Green", "Horvat", "Iqbal", "Jones", "Khan", "Lopez", "Martin", "Nielsen",
    "Okafor", "Peeters", "Rahman", "Silva", "Thomas", "Usman", "Visser", "Wilson", "Young", "Zhou",
)
