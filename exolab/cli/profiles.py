"""`exolab profiles`: the shipped device profiles, one line each."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("profiles", help="list the simulated device profiles")
    p.add_argument("--json", action="store_true", help="one JSON object per line (JSON Lines)")
    p.add_argument("--quirks", action="store_true", help="list the registered quirks instead")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from exolab.devices import list_profiles
    from exolab.devices.quirks import quirk_class, quirk_names

    if args.quirks:
        for name in quirk_names():
            summary = quirk_class(name).summary
            if args.json:
                print(json.dumps({"name": name, "summary": summary}, ensure_ascii=False))
            else:
                print(f"{name:28} {summary}")
        return 0
    for profile in list_profiles():
        if args.json:
            print(
                json.dumps(
                    {
                        "name": profile.name,
                        "description": profile.description,
                        "security_modes": list(profile.security_modes),
                        "tls": [profile.tls.min_version, profile.tls.max_version],
                        "auth": list(profile.auth.mechanisms),
                        "ports": list(profile.settings.ports) if profile.settings.ports else None,
                        "quirks": [q.name for q in profile.quirks],
                        "sources": [s.url for s in profile.sources if s.url],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(f"{profile.name:24} {profile.description}")
    return 0
