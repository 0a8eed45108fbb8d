"""Plan private EV chargers in the garages of existing residential communities.

One meter box (表箱) per fire compartment (防火分区), a cable from it to every registered
owner's parking space, and the drawings the property office approves.
"""

from planner.errors import PlannerError, Problem, SiteError
from planner.readers import read_site
from planner.site import Site

__all__ = ["PlannerError", "Problem", "Site", "SiteError", "read_site"]
__version__ = "0.1.0"
