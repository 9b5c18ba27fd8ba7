"""`riskbot serve`: the bot and its scheduler, over Socket Mode or HTTP (SPEC §13).

Every replica answers Slack; the scheduler runs on the one elected by bot.leader.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import typer
from slack_sdk.errors import SlackApiError

from bot.app import build_app
from bot.cli.base import app, config, fail, open_db
from bot.leader import LeaderElection
from bot.scheduler import JobScheduler
from bot.server import EVENTS_PATH, make_http_server
from bot.services import Services, build_services
from bot.slack_client import install_token_redaction, make_web_client
from scoring.profiles import ProfileError

log = logging.getLogger("riskbot")


def _env(name: str, hint: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        fail(f"{name} is not set: {hint}")
    return value


def _warm_index(services: Services) -> None:
    """Build the lookup index now, so the first /risk after a start does not pay for it."""
    started = time.perf_counter()
    index = services.fresh_index()
    index.search("warm-up")
    log.info("lookup index ready: %d customers in %.1f s", len(index), time.perf_counter() - started)


@app.command()
def serve(
    port: int = typer.Option(3000, "--port", help="HTTP port when SLACK_APP_TOKEN is not set."),
    host: str = typer.Option("0.0.0.0", "--host", help="HTTP address to listen on."),
) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP with POST /slack/events."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_token_redaction()
    token = _env("SLACK_BOT_TOKEN", "the bot token (xoxb-…) from your Slack app's OAuth & Permissions page")
    app_token = os.environ.get("SLACK_APP_TOKEN", "").strip()
    signing_secret = os.environ.get("SLACK_SIGNING_SECRET", "").strip()
    if not app_token and not signing_secret:
        fail("SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it (Basic Information page)")
    cfg = config()
    try:
        client = make_web_client(token)
        services = build_services(cfg, open_db())
    except (ValueError, ProfileError) as exc:
        fail(str(exc))
    try:
        identity = client.auth_test()
    except SlackApiError as exc:
        fail(f"SLACK_BOT_TOKEN was refused by Slack ({exc.response.get('error')}): check the token")
    except OSError as exc:
        fail(f"cannot reach the Slack API ({exc}): check the network or SLACK_API_URL")
    # Socket Mode requests arrive over the app-level websocket and carry no signature.
    bolt = build_app(services, client=client, signing_secret=signing_secret or "socket-mode")
    log.info("riskbot connected as %s in team %s", identity.get("user"), identity.get("team"))
    threading.Thread(target=_warm_index, args=(services,), name="index-warm-up", daemon=True).start()
    # Every replica serves Slack; only the one holding the scheduler lock runs the jobs.
    scheduler = JobScheduler(services, client)
    leader = LeaderElection(services.db.engine, on_elected=scheduler.start, on_lost=scheduler.stop)
    leader.start()
    try:
        if app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            SocketModeHandler(bolt, app_token).start()
            return
        server = make_http_server(bolt, host, port)
        log.info("listening on http://%s:%d%s", host, server.server_port, EVENTS_PATH)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        leader.stop()
