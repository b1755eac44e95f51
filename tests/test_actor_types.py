"""Actor types (person, organisation, state, group) travel with the index, on every engine.

Discovery reads each actor's type from the text (indexer/discovery.py), the seed lexicon gives
its own; the writers keep a per-index actor -> type table, and the search core puts the type
on the actor facet, `parley actors`, /api/actors and the actor page. Runs once per engine of
tests/test_engine_contract.py (embedded, and the real OpenSearch test cluster).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import indexer
import search as core
from search.engine_api import Engine
from tests.conftest import SEEDS
from tests.opensearch_cluster import opensearch_url  # noqa: F401
from tests.test_engine_contract import ENGINES

# Written for this test: a strike story naming people, a union, a ministry and a state that
# no seed knows, so every type below is discovery's reading of the text.
STRIKE = {
    "id": "strike-1", "title": "Dock strike talks resume", "date": "2026-03-02",
    "url": "https://example.org/strike-1",
    "text": (
        "Labour Minister Aino Kallas met leaders of the Finnish Dockworkers Union on Monday "
        "as the strike at the port of Kotka entered its third week.\n\n"
        "\"We are ready to sign tonight if the employers move on night shifts,\" said Pekka "
        "Lindqvist, the union's chairman, after the talks.\n\n"
        "Kallas said Finland would not impose a settlement, and Lindqvist said the "
        "Finnish Dockworkers Union would ballot its members on any offer."
    ),
}
MORE = {
    "id": "strike-2", "title": "Port employers answer", "date": "2026-03-04",
    "url": "https://example.org/strike-2",
    "text": (
        "The Kotka Port Authority said on Wednesday it had tabled a new offer, and Mikko "
        "Salonen, its director, told reporters the night-shift bonus would double.\n\n"
        "Salonen said the Finnish Dockworkers Union had until Friday to answer."
    ),
}


def _write(tmp: Path, name: str, *records: dict) -> Path:
    path = tmp / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(params=sorted(ENGINES))
def engine(request, tmp_path) -> Engine:
    return ENGINES[request.param](request, tmp_path)


def test_types_of_seed_and_discovered_actors_are_stored_with_the_index(engine, tmp_path):
    indexer.ingest([SEEDS, _write(tmp_path, "strike.jsonl", STRIKE)], engine)
    types = engine.actor_types()
    # Seeds: the hand-written lexicon's types.
    assert types["Hamas"] == "group" and types["Israel"] == "state"
    assert types["Steve Witkoff"] == "person"
    # Discovered in the strike story.
    assert types["Aino Kallas"] == "person" and types["Pekka Lindqvist"] == "person"
    assert types["Finnish Dockworkers Union"] == "organisation"
    assert types["Finland"] == "state"


def test_a_later_run_adds_types_and_keeps_the_earlier_ones(engine, tmp_path):
    indexer.ingest([_write(tmp_path, "a.jsonl", STRIKE)], engine)
    indexer.ingest([_write(tmp_path, "b.jsonl", MORE)], engine)
    types = engine.actor_types()
    assert types["Aino Kallas"] == "person"  # from the first run
    assert types["Mikko Salonen"] == "person" and types["Kotka Port Authority"] == "organisation"


def test_the_actor_facet_and_the_actor_list_carry_types(engine, tmp_path):
    indexer.ingest([SEEDS, _write(tmp_path, "strike.jsonl", STRIKE)], engine)
    facet = core.search(engine.location, core.SearchRequest(text="strike")).facets["actor"]
    typed = {fv.value: fv.type for fv in facet}
    assert typed["Finnish Dockworkers Union"] == "organisation"
    assert typed["Aino Kallas"] == "person"
    assert {"value": "Aino Kallas", "count": 1, "selected": False, "type": "person"} in \
        [fv.to_dict() for fv in facet]
    rows = core.list_actors(engine.location)
    assert rows[0] == {"actor": "Hamas", "type": "group", "paragraphs": 36}
    assert {"actor": "Pekka Lindqvist", "type": "person", "paragraphs": 2} in rows
    assert [r["paragraphs"] for r in rows] == sorted((r["paragraphs"] for r in rows),
                                                     reverse=True)


def test_a_rebuild_forgets_the_old_table(tmp_path):
    engine = ENGINES["embedded"](None, tmp_path)
    indexer.ingest([_write(tmp_path, "a.jsonl", STRIKE)], engine)
    assert "Aino Kallas" in engine.actor_types()
    indexer.ingest([SEEDS], engine, rebuild=True)
    assert "Aino Kallas" not in engine.actor_types()
    assert engine.actor_types()["Hamas"] == "group"


def test_cli_api_and_pages_show_the_type(tmp_path):
    from click.testing import CliRunner

    from web import create_app
    from web.cli import cli

    ix = tmp_path / "ix"
    indexer.ingest([SEEDS, _write(tmp_path, "strike.jsonl", STRIKE)], ix)
    out = CliRunner().invoke(cli, ["actors", "--index-dir", str(ix), "--format", "json"])
    assert out.exit_code == 0, out.output
    listed = json.loads(out.output)["actors"]
    assert {"actor": "Finnish Dockworkers Union", "type": "organisation", "paragraphs": 2} in listed
    text = CliRunner().invoke(cli, ["actors", "--index-dir", str(ix)]).output
    assert any(line.split()[1:] == ["person", "Aino", "Kallas"] for line in text.splitlines())

    client = create_app({"TESTING": True, "INDEX_DIR": str(ix)}).test_client()
    api = client.get("/api/actors").get_json()
    assert api["actors"] == listed
    facets = client.get("/api/search?q=strike").get_json()["facets"]["actor"]
    assert {"value": "Aino Kallas", "count": 1, "selected": False, "type": "person"} in facets
    page = client.get("/actors/Aino Kallas").get_data(as_text=True)
    assert '<span class="actor-type">person</span>' in page
    listing = client.get("/actors").get_data(as_text=True)
    assert '<td class="actor-type">organisation</td>' in listing
    search_page = client.get("/?q=strike").get_data(as_text=True)
    assert ('<span class="fv">Finnish Dockworkers Union</span> '
            '<span class="actor-type">organisation</span>') in search_page
