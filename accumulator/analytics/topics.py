"""What analytics announces: new counts or presence (to every process), and, within one process,
that the dashboard numbers were recomputed (the open dashboards follow that)."""

from __future__ import annotations

from dataclasses import dataclass

from accumulator.runtime import Topic


@dataclass(frozen=True)
class AnalyticsChanged:
    # The "site|path" keys of the pages whose counters changed; None: any may have (an import, a
    # deletion); empty: none did (presence only).
    pages: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DashboardRefreshed:
    version: int


ANALYTICS_TOPIC = Topic("update:analytics", AnalyticsChanged)
# Spread over half of the feed's second between refreshes (feed.REFRESH_EVERY): five Chromium tabs
# drawing one push at once took the server's two cores for a moment, which was its slowest requests.
DASHBOARD_TOPIC = Topic("analytics:dashboard", DashboardRefreshed, shared=False, spread=0.5)
