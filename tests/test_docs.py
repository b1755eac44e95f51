"""The README documents every command, and the commands document themselves."""

from __future__ import annotations

import re

from click.testing import CliRunner

from tests.conftest import ROOT
from web.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    for name, command in cli.commands.items():
        assert command.help and "Example" in command.help, name
        assert f"parley {name}" in README, name
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Example" in result.output


def test_ci_runs_exactly_the_readme_test_command():
    test_command = 'pip install -e ".[test]" && python -m pytest'
    assert f"    {test_command}\n" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"\n{test_command}\n" in ci


def test_readme_options_exist():
    """Every --option the README shows for a command is one the CLI accepts."""
    for name, command in cli.commands.items():
        known = {opt for p in command.params for opt in getattr(p, "opts", [])}
        for block in re.findall(rf"\$ parley {name}([^\n]*)", README):
            for option in re.findall(r"(--[a-z-]+)", block):
                assert option in known, (name, option)


def test_readme_api_examples_answer(seed_index):
    """Every /api and /export URL the README shows answers 200 on a real index."""
    from urllib.parse import urlsplit

    from web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(seed_index)}).test_client()
    urls = re.findall(r"'http://127\.0\.0\.1:8000(/(?:api|export)/[^']*)'", README)
    assert len(urls) >= 7
    for url in urls:
        parts = urlsplit(url)
        response = client.get(parts.path, query_string=parts.query)
        body = response.get_data()  # streamed exports must be read inside the test
        response.close()
        assert response.status_code == 200 and body, url


def readme_commands() -> list[list[str]]:
    """Every `parley ...` command line the README shows, as arguments."""
    import shlex

    lines = re.findall(r"^ {4}(?:\$ )?parley ([^\n]+)$", README, re.M)
    return [shlex.split(line) for line in lines]


def test_readme_command_lines_use_options_the_cli_has():
    commands = readme_commands()
    assert {c[0] for c in commands} >= {"index", "search", "quotes", "watch", "check", "serve"}
    for args in commands:
        command = cli.commands[args[0]]
        known = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert {a for a in args[1:] if a.startswith("--")} <= known, args


def test_readme_commands_run_on_a_fresh_clone(tmp_path):
    """The README's commands, on a clone of the committed tree (the seeds stand in for the
    bundled samples, to keep the test short); serve and watch run elsewhere."""
    import os
    import subprocess
    import sys

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {**os.environ, "PYTHONPATH": str(clone), "PARLEY_INDEX_DIR": str(tmp_path / "ix")}
    parley = [sys.executable, "-c", "from web.cli import cli; cli(prog_name='parley')"]
    ran = 0
    for args in [["index", "seeds/"], *(c for c in readme_commands()
                                        if c[0] not in ("index", "serve", "watch"))]:
        args = [a for a in args if not a.startswith("~")]
        if "--index-dir" in args:  # the README's own folder names: use the test's index
            at = args.index("--index-dir")
            del args[at:at + 2]
        done = subprocess.run([*parley, *args], cwd=clone, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (args, done.stderr)
        ran += 1
    assert ran >= 8


def test_readme_feed_examples_are_valid_atom(seed_index):
    import feedparser

    from web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(seed_index)}).test_client()
    urls = re.findall(r"'http://127\.0\.0\.1:8000(/feeds/[^']*)'", README)
    assert len(urls) == 2
    for url in urls:
        response = client.get(url)
        feed = feedparser.parse(response.data)
        assert response.status_code == 200 and not feed.bozo and feed.entries, url
