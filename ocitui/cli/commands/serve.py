"""``ocitui serve``: the layout over the OCI distribution API (a registry to pull from)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from ocitui.cli.common import add_json, open_layout
from ocitui.core.errors import OcituiError

NAME = "serve"
ORDER = 30
HELP = "serve the layout as an OCI registry (pull, referrers API; pushes with --read-write)"
DESCRIPTION = """Serve the layout over the OCI distribution API, so skopeo, crane, oras,
containerd (as a mirror) and ocitui itself pull straight from it, referrers API included.

Names: registry.example.com/demo/app:1.0 is served as demo/app:1.0 and as
registry.example.com/demo/app:1.0 (a port's ':' written as '_'). A mirror request's
?ns=REGISTRY (containerd sends it) is answered from that registry's images only. When two
registries hold the same path, the short path goes to the first --prefer registry holding
it; otherwise only the host-qualified names serve it. Bare tags written by other tools
(skopeo's '1.0') are served in the repository --bare-repo (default 'layout').

Read-only unless --read-write; pushes then land in the layout verified and under its lock
(new repositories under --push-registry, default 'localhost'). Binds to loopback unless
--addr says otherwise; one access-log line per request on stderr; Ctrl-C stops."""
EPILOG = """examples:
  ocitui serve --layout layouts/demo
  skopeo copy --all --src-tls-verify=false docker://127.0.0.1:5000/demo/app:1.0 oci:/tmp/app
  ocitui serve --addr 127.0.0.1:0 --json          # a free port, startup line as JSON
  ocitui serve --read-write --addr 0.0.0.0:5000 --tls-cert cert.pem --tls-key key.pem"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``serve`` arguments."""
    parser.add_argument(
        "--addr",
        default="127.0.0.1:5000",
        metavar="HOST:PORT",
        help="where to listen (default 127.0.0.1:5000; ':PORT' is loopback; port 0 picks one)",
    )
    parser.add_argument(
        "--read-write", action="store_true", help="accept pushes and deletes into the layout"
    )
    parser.add_argument("--tls-cert", type=Path, metavar="FILE", help="PEM certificate (chain)")
    parser.add_argument("--tls-key", type=Path, metavar="FILE", help="PEM private key")
    parser.add_argument(
        "--prefer",
        action="append",
        default=[],
        metavar="REGISTRY",
        help="registry whose repositories get the short names when several hold a path "
        "(repeatable, first wins)",
    )
    parser.add_argument(
        "--bare-repo",
        default="layout",
        metavar="NAME",
        help="repository serving bare tags written by other tools (default 'layout')",
    )
    parser.add_argument(
        "--push-registry",
        default="localhost",
        metavar="HOST",
        help="registry host recorded for pushed repositories the layout does not hold yet",
    )
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C / SIGTERM."""
    from ocitui.core.serve.app import AccessRecord
    from ocitui.core.serve.content import check_name
    from ocitui.core.serve.errors import DistributionError
    from ocitui.core.serve.server import ServeOptions, ServerInfo, parse_addr, serve

    try:
        host, port = parse_addr(args.addr)
        check_name(args.bare_repo)
        if (args.tls_cert is None) != (args.tls_key is None):
            raise OcituiError("--tls-cert and --tls-key go together")
    except DistributionError:
        return _usage(f"invalid --bare-repo {args.bare_repo!r}")
    except OcituiError as exc:
        return _usage(str(exc))
    options = ServeOptions(
        host=host,
        port=port,
        read_write=args.read_write,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        prefer=tuple(args.prefer),
        bare_repo=args.bare_repo,
        push_registry=args.push_registry,
    )
    layout = open_layout(args, create=args.read_write)

    def ready(info: ServerInfo) -> None:
        if args.json:
            print(json.dumps(info.to_json()), flush=True)
        else:
            mode = "read-write" if info.read_write else "read-only"
            print(
                f"serving {info.layout} at {info.url} ({mode}, "
                f"{len(info.repositories)} repositories); Ctrl-C stops",
                flush=True,
            )
        if not info.loopback and not info.tls:
            print(
                f"ocitui serve: warning: {info.host} is not loopback and there is no TLS "
                "and no authentication: anyone who reaches it can pull"
                + (" and push" if info.read_write else ""),
                file=sys.stderr,
                flush=True,
            )

    def access(record: AccessRecord) -> None:
        if args.json:
            line = json.dumps(
                {
                    "event": "request",
                    "remote": record.remote,
                    "method": record.method,
                    "path": record.path,
                    "status": record.status,
                    "bytes": record.size,
                    "seconds": round(record.seconds, 6),
                }
            )
        else:
            line = (
                f'{record.remote} "{record.method} {record.path}" {record.status} '
                f"{record.size} {record.seconds:.3f}s"
            )
        print(line, file=sys.stderr, flush=True)

    asyncio.run(serve(layout, options, on_ready=ready, on_request=access))
    if args.json:
        print(json.dumps({"event": "stopped"}), flush=True)
    else:
        print("stopped", flush=True)
    return 0


def _usage(message: str) -> int:
    print(f"ocitui serve: error: {message}", file=sys.stderr)
    return 2
