"""`exolab explain SCENARIO`: run one scenario and print its annotated transcript (trainer mode)."""

from __future__ import annotations

import argparse

from exolab.cli.common import UsageError


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from exolab.scenarios.explain import render_explanation
    from exolab.scenarios.loader import ScenarioError, find_scenario
    from exolab.scenarios.runner import RunOptions, run_scenario

    try:
        item = find_scenario(args.scenario)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
    result = asyncio.run(run_scenario(item, RunOptions()))
    print(render_explanation(item.scenario, result, args.lang), end="")
    return 0 if result.passed else 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "explain", help="run one scenario and explain its transcript step by step"
    )
    parser.add_argument("scenario", metavar="SCENARIO", help="a catalog id or a .toml path")
    parser.add_argument(
        "--lang", choices=("en", "ja"), default="en", help="language of the explanation"
    )
    parser.set_defaults(handler=_run)
