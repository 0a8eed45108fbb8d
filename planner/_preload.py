"""What the workers' forkserver imports once, before it forks any worker
(:data:`planner.workers.PRELOAD`); never imported by the planner itself.

It loads the modules the workers run (the layout sheets' drawing, the owner papers'
split), then freezes Python's garbage collector over everything loaded: the objects move
to the permanent generation, so a forked worker's collections never write to their pages
and the pages stay shared with the forkserver instead of being copied into each worker
(Python's documentation of :func:`gc.freeze`: "call ... freeze() right before fork()").
At 5,000 stalls that was more than half of each worker's memory.
"""

import gc

import planner.layouts
import planner.papers  # noqa: F401 - loaded for the workers forked from this process

gc.freeze()
