"""Style tokens: the one place colours, spacing and sizes are chosen."""

ACCENT = "iris"
GRAY = "slate"
RADIUS = "large"

SIDEBAR_WIDTH = "220px"
CONTENT_MAX_WIDTH = "1100px"
# Radix breakpoints: [phone, >=520px, >=768px, ...]. The sidebar shows from 768 px up.
DESKTOP_ONLY = ["none", "none", "flex"]
MOBILE_ONLY = ["flex", "flex", "none"]
DESKTOP_CELL = ["none", "table-cell"]  # table columns that phones do without
PAGE_PADDING = ["var(--space-3)", "var(--space-4)", "var(--space-6)"]


# Native form fields (selects, date and number inputs) dressed like Radix's own.
NATIVE_FIELD = {
    "padding": "6px 8px",
    "border_radius": "var(--radius-2)",
    "border": "1px solid var(--gray-7)",
    "background": "var(--gray-1)",
    "color": "var(--gray-12)",
    "font": "inherit",
    "font_size": "14px",
}


def space(step: int) -> str:
    """Radix's spacing scale (1-9) as a CSS value for style props."""
    return f"var(--space-{step})"
