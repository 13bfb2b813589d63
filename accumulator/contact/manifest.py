"""What contact messages hand the app: `POST /api/contact` and the owner's inbox, with its unread
count in the navigation. The owner's digest (comments/actions.send_digest) includes new messages."""

from accumulator import routes
from accumulator.contact import api, reads
from accumulator.feature import Feature, NavEntry

FEATURE = Feature(
    name="contact",
    routes=api.routes,
    pages="accumulator.contact.pages",
    nav=NavEntry("Messages", routes.MESSAGES, "inbox", order=65, count=reads.unread_count),
)
