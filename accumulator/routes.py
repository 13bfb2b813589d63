"""Every page address in one place, so links, guards and tests agree."""

HOME = "/"
LOGIN = "/login"
DASHBOARD = "/dashboard"
NOTES = "/notes"
PASTES = "/bin"
SPOTIFY = "/spotify"
SPOTIFY_HISTORY = "/spotify/history"  # the owner's unless SPOTIFY_HISTORY_PUBLIC
PLANTS = "/plants"
SESSIONS = "/sessions"
BACKUPS = "/backups"
COMMENTS = "/comments"
MESSAGES = "/messages"
TOKENS = "/tokens"
NOTIFICATIONS = "/notifications"
DASHBOARD_PAGES = "/api/analytics/pages"  # the dashboard's pages table, fetched by an opening tab
DASHBOARD_EXPORT = "/api/analytics/export/{table}.csv"  # a dashboard table as CSV, ?range=7|30|90|all
EVENTS = "/api/event"  # page views, likes and leaves from the owner's sites (the tracker)
STATS_BADGE = "/api/stats/badge.svg"  # a page's views or readers as an image, on every page of the blog
STATS_LIVE = "/api/stats/live"  # a page's readers, live (Server-Sent Events)

# Pages that need the owner's session; everything else is readable by anyone.
OWNER_PAGES = (NOTES, PASTES, PLANTS, SESSIONS, BACKUPS, COMMENTS, MESSAGES, TOKENS, NOTIFICATIONS)
