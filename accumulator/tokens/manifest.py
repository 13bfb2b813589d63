"""What API tokens hand the app: the owner's page (the token API itself is `accumulator/apiv1`)."""

from accumulator import routes
from accumulator.feature import Feature, NavEntry

FEATURE = Feature(
    name="tokens",
    pages="accumulator.tokens.pages",
    nav=NavEntry("API tokens", routes.TOKENS, "key-round", order=95),
)
