"""Start the app's server, offline: ``coalition app [--port P] [--host H]``.

Everything the page loads (scripts, styles, fonts, ECharts) is served from installed
packages (``solara-assets``). Solara's usage telemetry and its PyPI version check are
switched off, and its CDN fallback is pointed at a scheme no HTTP client can open, so
a missing asset is a 404 rather than a request to the internet.
"""

from __future__ import annotations

import os
import socket
import sys
import warnings

from model.errors import CoalitionError

SWEEPS_ROOT_ENV = "COALITION_SWEEPS_ROOT"  # the Sweeps tab's folder (viz/sweep_page.py)
JOIN_BASE_ENV = "COALITION_JOIN_BASE"  # the address students open (viz/classroom_page.py)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# How long the server keeps a session whose tab has gone (closed, or lost its network),
# in case it comes back; then its model is freed. Play stops at once either way.
DEFAULT_KEEP_SECONDS = 60
MAX_KEEP_SECONDS = 24 * 3600
APP = "viz.app"

# Read by Solara when it is imported; serve() also sets the live settings.
OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage telemetry
    "SOLARA_ASSETS_PROXY": "True",  # the page loads assets from this server ...
    "SOLARA_ASSETS_CDN": "offline://no-cdn/",  # ... and a missing one is never fetched
    "SOLARA_THEME_SHOW_BANNER": "False",  # no "runs on Solara" link
    "SOLARA_THEME_TITLE": "Coalition",
}


class AppError(CoalitionError):
    """The app cannot start as asked (bad port, port in use)."""


def check_port(port: int | str) -> int:
    """The port as an int, or AppError naming the value and what is allowed."""
    try:
        value = int(str(port))
    except ValueError:
        value = -1
    if not 1 <= value <= 65535:
        raise AppError(f"--port = {port!r} is not allowed: expected a whole number from 1 to 65535")
    return value


def check_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise AppError(f"cannot serve on {host}:{port} ({exc.strerror or exc}): choose another "
                           "--port or --host") from None


def offline_settings(keep_seconds: int = DEFAULT_KEEP_SECONDS) -> None:
    """Switch off every network use of Solara, for this process and the imported settings;
    free a session ``keep_seconds`` after its tab has gone (Solara's default: a day)."""
    os.environ.update(OFFLINE_ENV)
    os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = f"{keep_seconds}s"
    import solara.server.settings as server_settings
    import solara.settings

    server_settings.telemetry.mixpanel_enable = False
    server_settings.theme.show_banner = False
    server_settings.theme.title = OFFLINE_ENV["SOLARA_THEME_TITLE"]
    solara.settings.assets.proxy = True
    solara.settings.assets.cdn = OFFLINE_ENV["SOLARA_ASSETS_CDN"]
    server_settings.kernel.cull_timeout = f"{keep_seconds}s"


# A page load sends about 190 widgets, each a message the rendering thread hands to the
# event loop's thread; with Python's default 5 ms switch interval every hand-over can
# wait out a whole interval (measured: 10 ms a widget on the server, against 2 ms
# rendered in-process). Static files (3 MB of JavaScript a visitor) are gzipped for
# every visitor, at Starlette's level 9: about 0.5 s of CPU a page load. On a laptop or
# a classroom network level 1 sends 20% more bytes for a tenth of the CPU.
SWITCH_INTERVAL_S = 0.0005
GZIP_LEVEL = 1


def tune_server() -> None:
    """Set this process's thread switch interval and the static files' gzip level (above);
    ``benchmarks/bench_app.py`` measures what they give."""
    from starlette.middleware.gzip import GZipMiddleware

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    minimum_size, _ = GZipMiddleware.__init__.__defaults__ or (500, 9)
    # Solara builds its middleware with Starlette's default level: change the default
    GZipMiddleware.__init__.__defaults__ = (minimum_size, GZIP_LEVEL)


def address(host: str, port: int) -> str:
    """The address to open in a browser on this machine."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def lan_address() -> str | None:
    """This machine's address on its local network, or None.

    The address the system would send from to a private-network address: a UDP socket's
    connect() only picks the route, it sends nothing.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("10.255.255.255", 1))
            found = sock.getsockname()[0]
    except OSError:
        return None
    return None if found.startswith("127.") or found == "0.0.0.0" else found


def join_base(host: str, port: int) -> str:
    """The address students open for the classroom game: this machine's network address
    when serving every interface (``--host 0.0.0.0``), else the address served."""
    if host in ("0.0.0.0", "::", ""):
        lan = lan_address()
        if lan is not None:
            return f"http://{lan}:{port}/"
    return address(host, port)


def check_sweeps_root(root: str | None) -> str | None:
    """The Sweeps tab's root as an absolute path, or AppError if it is not a folder."""
    if root is None:
        return None
    if not os.path.isdir(root):
        raise AppError(f"--sweeps-root = {root!r} is not allowed: expected an existing folder")
    return os.path.abspath(root)


def check_keep(seconds: int | str) -> int:
    """The session keep time in seconds, or AppError naming the value and what is allowed."""
    try:
        value = int(str(seconds))
    except ValueError:
        value = -1
    if not 1 <= value <= MAX_KEEP_SECONDS:
        raise AppError(f"--keep-session = {seconds!r} is not allowed: expected a whole number of "
                       f"seconds from 1 to {MAX_KEEP_SECONDS}")
    return value


def serve(host: str = DEFAULT_HOST, port: int | str = DEFAULT_PORT,
          sweeps_root: str | None = None, keep_session: int | str = DEFAULT_KEEP_SECONDS) -> int:
    """Run the app's server until Ctrl+C; 0 on a clean stop."""
    port = check_port(port)
    keep = check_keep(keep_session)
    root = check_sweeps_root(sweeps_root)
    check_free(host, port)
    if root is not None:
        os.environ[SWEEPS_ROOT_ENV] = root
    offline_settings(keep)
    tune_server()
    from solara.__main__ import run

    os.environ[JOIN_BASE_ENV] = join_base(host, port)
    print(f"Coalition app: {address(host, port)}  (offline; Ctrl+C to stop)", flush=True)
    if host in ("0.0.0.0", "::"):
        print(f"Others on this network: {os.environ[JOIN_BASE_ENV]} (this machine's address, "
              f"port {port})", flush=True)
    # Solara warns on every plain-http connection that it falls back to SameSite=lax
    # cookies, which is what a local server wants: keep the teacher's terminal quiet.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    try:
        run.main(args=[APP, "--host", host, "--port", str(port), "--production",
                       "--no-check-version", "--no-open"], standalone_mode=False)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":  # python -m viz.server [port]
    sys.exit(serve(port=sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PORT))
