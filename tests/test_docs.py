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
