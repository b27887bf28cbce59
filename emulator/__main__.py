"""``python -m emulator serve``: the standalone emulator, an ``EmulatorServer`` in the foreground.

Exit codes: 0 after Ctrl-C (SIGINT) or SIGTERM — stopping is the normal way to end it; 1 for a
user error (bad seed file, port in use, bad option value), with one line on stderr; 2 for a
command line argparse cannot parse.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TextIO

from emulator.config import REALISTIC_TIMING, REGIONS, EmulatorConfig, LockoutPolicy, Timing
from emulator.control.operations import demo_login
from emulator.portfile import remove_port_file, write_port_file
from emulator.seed import SeedError, load_default_seed, load_seed
from emulator.server import EmulatorServer
from emulator.services import SERVICES

PROG = "python -m emulator"


class UserError(Exception):
    """A problem the user can fix; printed as one line on stderr, exit code 1."""


@dataclass(frozen=True)
class ServeOptions:
    """The options of ``serve`` after parsing."""

    host: str = "127.0.0.1"
    port: int = 8774
    seed_path: Path | None = None
    region: str | None = None
    timing: Timing = REALISTIC_TIMING
    control_plane: bool = True
    token_lifetime_seconds: float = 3 * 3600.0
    lockout: bool = True
    threads: int = 8
    port_file: Path | None = None


def build_config(options: ServeOptions) -> EmulatorConfig:
    """The emulator's config from the options; the region defaults to the seed's."""
    try:
        seed = load_seed(options.seed_path) if options.seed_path else load_default_seed()
    except SeedError as exc:
        raise UserError(str(exc)) from None
    try:
        return EmulatorConfig(
            region=options.region or seed.region or "jp-east-1",
            seed=seed,
            timing=options.timing,
            token_lifetime_seconds=options.token_lifetime_seconds,
            lockout=LockoutPolicy(enabled=options.lockout),
            control_plane=options.control_plane,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None


def serve(options: ServeOptions, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Serve until Ctrl-C / SIGTERM; returns the exit code."""
    config = build_config(options)
    if not is_loopback(options.host):
        print(
            f"warning: binding {options.host}: the emulator accepts requests from other machines; "
            "its demo credentials are public",
            file=err,
        )
    try:
        server = EmulatorServer(
            config, host=options.host, port=options.port, threads=options.threads
        )
    except ValueError as exc:  # a host name instead of an IP address
        raise UserError(str(exc)) from None
    # SIGINT too: a shell starts background jobs with SIGINT ignored, and `kill -INT` must work.
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    written: int | None = None  # the port in --port-file
    try:
        try:
            server.start()
        except OSError as exc:
            raise UserError(_bind_error(options, exc)) from None
        if options.port_file is not None:
            try:
                write_port_file(options.port_file, server.port)
            except OSError as exc:
                raise UserError(
                    f"--port-file {options.port_file}: cannot write it: {exc}"
                ) from None
            written = server.port
        out.write(banner(server))
        out.flush()
        threading.Event().wait()  # the server runs in its thread; a signal ends the wait
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if options.port_file is not None and written is not None:
            remove_port_file(options.port_file, written)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("emulator stopped", file=err)
    return 0


# What ``serve`` serves, from the one table of services (so a new service cannot be left out).
_SERVED = ", ".join(f"{service.name} ({service.prefix})" for service in SERVICES)
_NAMES = ", ".join(service.name for service in SERVICES)

# The banner's exports: the OS_* of ``credentials`` that name the project by id (the project's
# name and domain would be a second way of saying the same), then the document's variables.
_NAME_SCOPE = frozenset({"OS_PROJECT_NAME", "OS_PROJECT_DOMAIN_NAME"})


def banner(server: EmulatorServer) -> str:
    """What ``serve`` prints on start: URLs, demo login, servers and ready-to-paste exports."""
    config = server.config
    credentials = server.credentials
    login = demo_login(config.seed)
    timing = config.timing
    pace = f"{timing.seconds:g} s per stop/start" if timing.mode == "seconds" else f"{timing.mode}"
    lines = [
        f"FJcloud-O emulator ({_NAMES}) listening on {server.url} — Ctrl-C stops it",
        f"  identity (OS_AUTH_URL)  {server.auth_url}",
        f"  COMPUTE                 {server.compute_url}",
        f"  region                  {config.region} (compute API /{config.compute_version})",
        f"  project                 {login.project_id} ({login.project_name})",
        f"  user                    {login.user_name} in domain {login.user_domain_name}",
        f"  password                {login.password}  (a demo value from the seed, not a secret)",
        f"  transitions             {pace}",
        "  control plane           "
        + (f"{server.url}/_emulator/health" if config.control_plane else "off"),
        "  servers",
    ]
    lines += [f"    {s.id}  {s.name}  {s.status}" for s in config.seed.servers]
    exports = {name: value for name, value in credentials.items() if name not in _NAME_SCOPE}
    exports["COMPUTE"] = server.compute_url
    exports["PROJECT_ID"] = server.project_id
    exports["SERVER_ID"] = server.server_ids[0] if server.server_ids else ""
    lines += ["", "# paste into a shell:"]
    lines += [f"export {name}={_shell_quote(value)}" for name, value in exports.items()]
    lines.append(
        "export TOKEN=$(curl -si -X POST -H 'Content-Type: application/json' "
        '-d \'{"auth": {"identity": {"methods": ["password"], "password": {"user": '
        '{"name": "\'"$OS_USERNAME"\'", "domain": {"name": "\'"$OS_USER_DOMAIN_NAME"\'"}, '
        '"password": "\'"$OS_PASSWORD"\'"}}}, "scope": {"project": {"id": "\'"$OS_PROJECT_ID"\'"}}}}\' '
        "\"$OS_AUTH_URL/auth/tokens\" | sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: *//p' | tr -d '\\r')"
    )
    return "\n".join(lines) + "\n\n"


def _shell_quote(value: str) -> str:
    safe = all(c.isalnum() or c in "-_.:/@%+=," for c in value)
    return value if value and safe else "'" + value.replace("'", "'\"'\"'") + "'"


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind_error(options: ServeOptions, exc: OSError) -> str:
    where = f"{options.host}:{options.port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {options.port} on {options.host} is already in use; stop the other process, "
            "choose another port with --port, or use --port 0 for a free one"
        )
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on {where}; use a port above 1023"
    return f"cannot listen on {where}: {exc.strerror or exc}"


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM: the same clean stop as Ctrl-C


def _timing_argument(value: str) -> Timing:
    try:
        return Timing.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds_argument(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if seconds < 0:
        raise argparse.ArgumentTypeError("seconds must be >= 0")
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="FJcloud-O (ex-K5) identity + compute API emulator."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "serve",
        help="run the emulator in the foreground (Ctrl-C stops it)",
        description=f"Serve {_SERVED} and the control plane (/_emulator) on one port with "
        "waitress. Ctrl-C or SIGTERM stops it (exit 0).",
    )
    run.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=8774, help="port (default 8774; 0 picks one)")
    run.add_argument(
        "--port-file",
        type=Path,
        metavar="FILE",
        help="write the real port to FILE once listening (with --port 0); removed on stop",
    )
    run.add_argument("--seed", type=Path, metavar="FILE", help="seed file (YAML or JSON)")
    run.add_argument(
        "--region",
        choices=sorted(REGIONS),
        help="region advertised in the catalog (default: the seed's, else jp-east-1)",
    )
    pace = run.add_mutually_exclusive_group()
    pace.add_argument(
        "--timing",
        type=_timing_argument,
        metavar="immediate|manual|S",
        help=f"how stop/start, uploads and exports complete (default {REALISTIC_TIMING.seconds:g} s)",
    )
    pace.add_argument(
        "--transition-seconds",
        type=_seconds_argument,
        metavar="S",
        help="seconds a stop or start takes (same as --timing S)",
    )
    run.add_argument(
        "--no-control-plane", action="store_true", help="do not serve /_emulator/ at all"
    )
    run.add_argument(
        "--token-lifetime",
        type=_seconds_argument,
        default=3 * 3600.0,
        metavar="S",
        help="token lifetime in seconds (default 10800 = 3 h)",
    )
    run.add_argument(
        "--no-lockout", action="store_true", help="never lock a user after wrong passwords"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command != "serve":
        parser.print_help(sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    timing = args.timing
    if args.transition_seconds is not None:
        timing = Timing("seconds", args.transition_seconds)
    options = ServeOptions(
        host=args.host,
        port=args.port,
        port_file=args.port_file,
        seed_path=args.seed,
        region=args.region,
        timing=timing or REALISTIC_TIMING,
        control_plane=not args.no_control_plane,
        token_lifetime_seconds=args.token_lifetime,
        lockout=not args.no_lockout,
    )
    try:
        return serve(options)
    except UserError as exc:
        print(f"{PROG} serve: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
