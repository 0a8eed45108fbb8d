"""Plan private EV chargers in the garages of existing residential communities.

One meter box (表箱) per fire compartment (防火分区), a cable from it to every registered
owner's parking space, and the drawings the property office approves.

Examples
--------
>>> import planner
>>> from planner.samples import sample_path
>>> plan = planner.make_plan(planner.read_site(sample_path("a")))
>>> plan.counts()
{'planned': 8, 'pending': 2, 'deferred': 4, 'blocked': 6}
"""

import logging
from importlib.metadata import PackageNotFoundError, version

from planner.errors import PlannerError, Problem, SiteError, UnknownIdError, UnreadableInputError
from planner.limits import Limits
from planner.plan import Plan, PlanOptions, make_plan
from planner.readers import read_site
from planner.rules import Rules
from planner.site import Site

__all__ = [
    "Limits",
    "Plan",
    "PlanOptions",
    "PlannerError",
    "Problem",
    "Rules",
    "Site",
    "SiteError",
    "UnknownIdError",
    "UnreadableInputError",
    "make_plan",
    "read_site",
]
logging.getLogger("planner").addHandler(logging.NullHandler())  # silent unless configured

try:
    __version__ = version("ev-garage-planner")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"
