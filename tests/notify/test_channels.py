"""Every channel keeps one contract, tried against real local servers: SMTP (aiosmtpd), and Apprise
pointed at an ntfy-style endpoint and a JSON webhook on loopback. A refusal that will repeat is
permanent and shown with its reason; a server that is down or busy is worth another try."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from sqlalchemy.engine import Engine

from accumulator.notify import actions, reads
from accumulator.notify.channels import apprise_url
from tests.notify.helpers import NOW, add_apprise, alert, attempts, services
from tests.notify.servers import Receiver
from tests.plants.test_mail import free_port


async def test_it_sends_one_alert_to_ntfy_a_webhook_and_email(
    engine: Engine, tmp_path: Path, smtp, ntfy: Receiver, webhook: Receiver
) -> None:
    inbox, port = smtp
    svc = services(tmp_path, engine, port)
    phone = add_apprise(engine, "Phone", f"ntfy://127.0.0.1:{ntfy.port}/owner-alerts")
    hook = add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/hooks/acc")

    outcomes = await actions.notify(svc, alert(), now=NOW)

    assert {channel: outcome.status for channel, outcome in outcomes.items()} == {
        "email": "sent",
        phone: "sent",
        hook: "sent",
    }
    (published,) = ntfy.to("owner-alerts")
    assert published["title"] == "2 new comments" and "Bob: hi" in published["message"]
    assert "https://acc.example.com/comments" in published["message"]
    (posted,) = webhook.to("/hooks/acc")
    assert posted["title"] == "2 new comments" and posted["message"].startswith("Ann: hello")
    (mail,) = [email.message_from_bytes(e.content, policy=email.policy.default) for e in inbox.envelopes]
    assert mail["Subject"] == "2 new comments"
    assert [attempt.outcome for attempt in attempts(engine)] == ["ok", "ok", "ok"]


async def test_a_refusal_is_permanent_and_shown_beside_the_channel(
    engine: Engine, tmp_path: Path, webhook: Receiver
) -> None:
    svc = services(tmp_path, engine)
    webhook.answer("/wrong-token", 401)
    hook = add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/wrong-token")

    outcomes = await actions.notify(svc, alert(), now=NOW)

    assert outcomes[hook].status == "failed" and "401" in outcomes[hook].error
    assert "wrong-token" not in outcomes[hook].error  # the URL's parts may be secrets
    (row,) = [row for row in (await reads.overview(svc, now=NOW)).channels if row["key"] == hook]
    assert row["state"] == "failing" and "401" in row["last_error"]
    assert row["detail"] == f"json://127.0.0.1:{webhook.port}/…"
    # Failed for good: the retry job leaves it alone.
    assert await actions.dispatch(svc, now=NOW.replace(hour=NOW.hour + 5)) == 0


async def test_a_server_that_is_down_is_a_transient_failure(engine: Engine, tmp_path: Path) -> None:
    svc = services(tmp_path, engine)
    hook = add_apprise(engine, "Hook", f"json://127.0.0.1:{free_port()}/nobody-listens")
    outcomes = await actions.notify(svc, alert(), now=NOW)
    assert outcomes[hook].status == "retrying"
    assert [attempt.outcome for attempt in attempts(engine, hook)] == ["transient"]


async def test_mail_refused_for_good_is_permanent_and_a_dead_server_is_not(
    engine: Engine, tmp_path: Path, smtp
) -> None:
    inbox, port = smtp
    inbox.refuse.add("owner@example.com")
    refused = await actions.notify(services(tmp_path, engine, port), alert("refused"), now=NOW)
    assert refused["email"].status == "failed" and "550" in refused["email"].error
    down = await actions.notify(services(tmp_path, engine, free_port()), alert("down"), now=NOW)
    assert down["email"].status == "retrying" and "could not connect" in down["email"].error


def test_an_apprise_url_is_never_shown_whole() -> None:
    assert apprise_url.mask("ntfy://user:pass@ntfy.sh/secret-topic") == "ntfy://…"
    assert apprise_url.mask("ntfys://ntfy.sh/secret-topic") == "ntfys://ntfy.sh/…"
    assert apprise_url.mask("tgram://123456:ABCDEF/987") == "tgram://…"
    assert apprise_url.mask("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js") == "discord://…"
