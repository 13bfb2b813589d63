"""Assembles the app: pages, HTTP routes, theme. No logic lives here."""

import reflex as rx

from accumulator.api import create_api
from accumulator.auth import pages as auth_pages  # noqa: F401  (declares pages)
from accumulator.db import get_engine
from accumulator.settings import get_settings
from accumulator.ui import misc_pages, upcoming  # noqa: F401  (declare pages)
from accumulator.ui.layout import PAGES
from accumulator.web import Services

app = rx.App(
    api_transformer=create_api(Services(settings=get_settings(), engine=get_engine())),
    # In the document head, so it is listening before the page hydrates: a fast submit is never lost.
    head_components=[rx.el.script(src="/js/login.js", defer=True)],
)
for declared in PAGES:
    app.add_page(**declared)
