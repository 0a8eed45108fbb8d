"""What the desk (``app.py``) needs from Streamlit's server beyond widgets: whether the
browser session it computes for is still open. Kept apart from :mod:`planner.session`,
which never imports Streamlit."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx


def session_closed() -> Callable[[], bool]:
    """A test of whether this script run's browser session has gone (its tab closed),
    safe to call from the script's thread while it computes (``is_active_session`` is
    thread-safe); always False outside a running server (bare mode, AppTest)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return lambda: False
    runtime, session = Runtime.instance(), ctx.session_id
    return lambda: not runtime.is_active_session(session)
