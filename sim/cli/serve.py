"""``sim serve``: the model live in the browser, or a finished comparison (meeting mode)."""

from __future__ import annotations

import typer

from sim.cli.app import app, console

HOST_HELP = ("Address to listen on (default 127.0.0.1: this machine only). Any other address "
             "needs --allow-remote.")
REMOTE_HELP = ("Allow a --host other machines can reach; the page then needs the random "
               "access token printed at the start (a link with ?token=...).")


@app.command()
def serve(
    target: str = typer.Argument(
        None, metavar="[SCENARIO_OR_FOLDER]",
        help="A shipped scenario name or a .toml file to run live against the reference "
             "(default: interventieteam), or a folder written by 'sim compare --out DIR' to "
             "show (meeting mode)."),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help=HOST_HELP),
    allow_remote: bool = typer.Option(False, "--allow-remote", help=REMOTE_HELP),
    max_sessions: int = typer.Option(8, "--max-sessions", min=1, max=1000,
                                     help="Browser sessions at once; one more sees a message."),
    idle_minutes: float = typer.Option(30.0, "--idle-minutes", min=0.01, max=24 * 60,
                                       help="A session unused this long ends and frees its "
                                            "memory."),
) -> None:
    """Open the model in the browser: a Dutch projector view (play, sliders, upload)."""
    import math

    from sim.core.errors import UserError
    from sim.serve.server import check_remote, remote_links, solara_environment
    from sim.serve.server import serve as run_server
    from sim.serve.target import resolve_target

    if not math.isfinite(idle_minutes):
        raise UserError(f"{idle_minutes} is not a number of minutes; allowed: 0.01 to 1440.",
                        field="--idle-minutes")
    check_remote(host, allow_remote)  # before anything else: a decision, not a default
    solara_environment(idle_minutes)  # before the meeting check imports Solara
    chosen = resolve_target(target)  # checked first: a bad one is a one-line error, exit 2
    what = ("meeting mode: " if chosen.kind == "meeting" else "live: ") + chosen.ref

    def ready(url: str) -> None:
        console.print(f"Wijksim serves {what} at {url} (Ctrl-C stops)", markup=False,
                      highlight=False, soft_wrap=True)
        if "?token=" in url:
            _, who = remote_links(host, port, url.rsplit("=", 1)[1])
            console.print(f"warning: reachable by {who}; the page needs the token in this "
                          f"link. Stop the server (Ctrl-C) when the meeting is over.",
                          markup=False, highlight=False, soft_wrap=True)

    run_server(chosen, host=host, port=port, on_ready=ready, allow_remote=allow_remote,
               max_sessions=max_sessions, idle_minutes=idle_minutes)
