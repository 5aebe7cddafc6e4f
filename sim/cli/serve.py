"""``sim serve``: the model live in the browser, or a finished comparison (meeting mode)."""

from __future__ import annotations

import typer

from sim.cli.app import app, console

HOST_HELP = ("Address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 lets "
             "others on the network in).")


@app.command()
def serve(
    target: str = typer.Argument(
        None, metavar="[SCENARIO_OR_FOLDER]",
        help="A shipped scenario name or a .toml file to run live (default: baseline), or a "
             "folder written by 'sim compare --out DIR' to show (meeting mode)."),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help=HOST_HELP),
) -> None:
    """Open the model in the browser (Mesa SolaraViz): play, step, move sliders, compare."""
    from sim.serve.server import serve as run_server
    from sim.serve.target import resolve_target

    chosen = resolve_target(target)  # checked first: a bad one is a one-line error, exit 2
    what = ("meeting mode: " if chosen.kind == "meeting" else "live: ") + chosen.ref

    def ready(url: str) -> None:
        console.print(f"Wijksim serves {what} at [bold]{url}[/] (Ctrl-C stops)",
                      highlight=False, soft_wrap=True)

    run_server(chosen, host=host, port=port, on_ready=ready)
