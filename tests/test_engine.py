"""The search core against a real index of the seeds: hits, snippets, facets, filters, quotes."""

from __future__ import annotations

import gzip
import json

import pytest

import indexer
from indexer.errors import (
    BadFilter,
    IndexCorrupt,
    IndexNotFound,
    NotFound,
    NotParleyIndex,
    QuerySyntaxError,
    UnknownFilterValue,
)
from search import (
    FacetValue,
    SearchRequest,
    get_article,
    index_stats,
    list_speakers,
    search,
    search_quotes,
)
from search.highlight import BracketFormatter, mark_text
from tests.conftest import SAMPLES, SEEDS


def facet(results, name):
    return [(v.value, v.count) for v in results.facets[name]]


def test_witkoff_paragraphs_facets_and_snippets(seed_index):
    r = search(seed_index, SearchRequest(text="Witkoff"))
    assert r.total == 4
    assert facet(r, "outlet") == [("ANI", 3), ("rtwnews.com", 1)]
    # 4: one paragraph has his reported speech only ("Witkoff contended Hamas' messaging ...").
    assert facet(r, "speaker") == [("Steve Witkoff", 4)]
    assert facet(r, "month") == [("2025-06", 3), ("2025-03", 1)]
    assert [fv for fv in r.timeline] == [FacetValue("2025-03", 1), FacetValue("2025-06", 3)]
    first = r.hits[0]
    assert first.snippet == ('However, <mark>Witkoff</mark> completely wrote off Hamas\' response and said '
                             'that they should "accept the framework proposal we put forward as the basis '
                             'for proximity talks."')
    # "... and said that they should "accept ..."": reported speech holding a partial quotation.
    assert [(q.speaker, q.verb, q.kind) for q in first.quotes] == [
        ("Steve Witkoff", "said", "reported"), ("Steve Witkoff", "said", "partial")]


def test_phrase_search_is_exact_and_keeps_stop_words(seed_index):
    r = search(seed_index, SearchRequest(text='"no progress yet"'))
    assert [(h.paragraph_id, h.snippet) for h in r.hits] == [
        ("u9053737f559b57d2-0004", '"There is <mark>no</mark> <mark>progress</mark> <mark>yet</mark>."')]


def test_long_paragraph_snippet_is_cut_with_ellipsis(seed_index):
    r = search(seed_index, SearchRequest(text="perpetuating"))
    assert r.total == 1 and len(r.hits[0].text) > 320
    snippet = r.hits[0].snippet
    assert snippet.startswith("… ") and "<mark>perpetuating</mark>" in snippet
    assert len(snippet) < len(r.hits[0].text)


def test_filters_narrow_and_selected_values_stay_visible(seed_index):
    base = search(seed_index, SearchRequest(text="hostages"))
    narrowed = search(seed_index, SearchRequest(text="hostages", filters={"actor": ("Hamas", "Qatar")}))
    assert narrowed.total < base.total
    assert all({"Hamas", "Qatar"} <= set(h.actors) for h in narrowed.hits)
    # An outlet the index lacks is explained with the nearest known ones, not a silent 0.
    with pytest.raises(BadFilter, match="No outlet 'NDTVV' in this index.*Nearest known: NDTV"):
        search(seed_index, SearchRequest(text="hostages", filters={"outlet": ("NDTVV",)}))


def test_outlets_widen_and_aliases_resolve(seed_index):
    either = search(seed_index, SearchRequest(filters={"outlet": ("ANI", "NDTV")}))
    assert either.total == 9 + 23
    by_alias = search(seed_index, SearchRequest(filters={"actor": ("Israeli PM",)}))
    by_name = search(seed_index, SearchRequest(filters={"actor": ("Benjamin Netanyahu",)}))
    assert by_alias.total == by_name.total == 9


def test_date_range_and_sort(seed_index):
    r = search(seed_index, SearchRequest(since="2024-05-01", until="2025-03-31", sort="oldest", size=0))
    assert r.total == 19
    assert [h.published for h in r.hits][:1] == ["2024-05-05"] and r.hits[-1].published == "2025-03-15"
    assert all(h.score is None for h in r.hits)


def test_paging(seed_index):
    page2 = search(seed_index, SearchRequest(text="Hamas", size=5, page=2))
    everything = search(seed_index, SearchRequest(text="Hamas", size=0))
    assert [h.paragraph_id for h in page2.hits] == [h.paragraph_id for h in everything.hits[5:10]]


def test_quotes_by_speaker_alias(seed_index):
    r = search_quotes(seed_index, SearchRequest(filters={"speaker": ("witkoff",)}))
    assert [(q.speaker, q.verb, q.via, q.outlet) for q in r.quotes] == [
        ("Steve Witkoff", "stated", None, "ANI"), ("Steve Witkoff", "said", None, "ANI"),
        ("Steve Witkoff", "wrote", "X", "ANI"), ("Steve Witkoff", "added", None, "ANI")]
    assert r.quotes[0].text == "only takes us backward."


def test_quote_words_filter_quotes_not_just_paragraphs(seed_index):
    r = search_quotes(seed_index, SearchRequest(text="permanent ceasefire"))
    assert sorted((q.speaker, q.text[:40]) for q in r.quotes) == [
        ("Hamas", "aims to achieve a permanent ceasefire, a"),
        ("Steve Witkoff", "That is the only way we can close a 60-d")]


def test_same_quotation_in_two_outlets_is_grouped_under_the_earliest(tmp_path):
    quote = '"We will not accept any deal that leaves hostages behind," Netanyahu said.'
    rows = [{"url": "https://a.example/1", "title": "A", "source": "Outlet A", "published": "2024-05-06",
             "text": quote}, {"url": "https://b.example/1", "title": "B", "source": "Outlet B",
             "published": "2024-05-05", "text": "In Jerusalem: " + quote}]
    (tmp_path / "two.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    indexer.ingest([tmp_path / "two.jsonl"], tmp_path / "ix")
    r = search_quotes(tmp_path / "ix", SearchRequest())
    assert r.total == 1
    lead = r.quotes[0]
    assert (lead.outlet, lead.published, lead.speaker) == ("Outlet B", "2024-05-05", "Benjamin Netanyahu")
    assert [(a["outlet"], a["published"]) for a in lead.also_reported_by] == [("Outlet A", "2024-05-06")]


def test_article_view_and_speakers(seed_index):
    view = get_article(seed_index, "u9053737f559b57d2")
    assert (view.summary.outlet, view.summary.title, len(view.paragraphs)) == (
        "NDTV", 'Hamas Says "No Progress" In Gaza Truce Talks Despite Reports Of Headway', 23)
    assert [p.position for p in view.paragraphs] == list(range(23))
    speakers = {s["speaker"]: s["quotes"] for s in list_speakers(seed_index)}
    assert speakers["Steve Witkoff"] == 4


def test_mark_text_escapes_and_wraps_quotes():
    text = 'He said "<b>no deal</b>" & left.'
    assert mark_text(text, {"deal"}, quotes=[(9, 23)], formatter=BracketFormatter()) == (
        'He said "<q class="quote">&lt;b&gt;no [deal]&lt;/b&gt;</q>" &amp; left.')


def test_stats(seed_index):
    s = index_stats(seed_index)
    assert (s["articles"], s["paragraphs"], s["indexed_paragraphs"], s["first_date"], s["last_date"]) == (
        4, 51, 51, "2024-04-08", "2025-06-01")
    assert s["top"]["outlet"][0] == {"value": "NDTV", "count": 23, "selected": False}


def test_errors(seed_index, tmp_path):
    with pytest.raises(QuerySyntaxError):
        search(seed_index, SearchRequest(text='"open'))
    with pytest.raises(NotFound):
        get_article(seed_index, "../../etc/passwd")
    with pytest.raises(IndexNotFound, match="parley index"):
        search(tmp_path / "nothing", SearchRequest())
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "_MAIN_1.toc").write_bytes(b"not ours")
    with pytest.raises(NotParleyIndex):
        search(tmp_path / "other", SearchRequest())


def test_trimmed_variant_in_a_rewrite_is_grouped_with_the_original(tmp_path):
    full = ("We will not accept any deal that leaves hostages behind in Gaza, and we will keep "
            "pressing the mediators in Doha and Cairo every single day")
    trimmed = "We will not accept any deal that leaves hostages behind in Gaza"
    rows = [{"url": "https://wire.example/1", "source": "Wire", "published": "2024-05-05",
             "text": f'"{full}," Netanyahu said.'},
            {"url": "https://rewrite.example/1", "source": "Rewrite", "published": "2024-05-06",
             "text": f'Netanyahu said: "{trimmed}."'},
            {"url": "https://other.example/1", "source": "Other", "published": "2024-05-06",
             "text": '"We will not accept any deal that ends the war now," Hamas said.'}]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    indexer.ingest([tmp_path / "r.jsonl"], tmp_path / "ix")
    r = search_quotes(tmp_path / "ix", SearchRequest())
    assert r.total == 2
    lead = next(q for q in r.quotes if q.outlet == "Wire")
    assert [(a["outlet"], a.get("text")) for a in lead.also_reported_by] == [("Rewrite", trimmed + ".")]


def test_a_quotation_sharing_an_opening_with_one_and_an_ending_with_another_joins_all_three():
    from search.engines.embedded.quotetable import QuoteRef, _Grouper

    first = QuoteRef(0, 0, "Netanyahu", "person", "k1", head="open-a", tail="end-a")
    second = QuoteRef(1, 0, "Netanyahu", "person", "k2", head="open-b", tail="end-b")
    other = QuoteRef(2, 0, "Sinwar", "person", "k3", head="open-a", tail="end-b")
    bridge = QuoteRef(3, 0, "Netanyahu", "person", "k4", head="open-a", tail="end-b")
    again = QuoteRef(4, 0, "Hamas", "organisation", "k2")  # the same words, another speaker
    grouper = _Grouper()
    for ref in (first, second, other, bridge, again):
        grouper.add(ref)
    # Opening and ending keys are one speaker's: Sinwar's trimmed-alike quotation stays apart;
    # the bridge joins the second group into the first (which keeps its place), and the same
    # words join whatever group holds them.
    assert [[r.docnum for r in g] for g in grouper.groups.values()] == [[0, 1, 3, 4], [2]]


def test_an_index_generations_tables_are_left_out_of_garbage_collections(tmp_path):
    import gc

    from search.engines.embedded import quotetable
    from search.engines.embedded.engine import engine_for

    rows = [{"url": f"https://wire.example/{i}", "source": "Wire", "published": "2024-05-05",
             "text": f'"We will keep talking about the hostages, day {i} of many," Witkoff said.'}
            for i in range(50)]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    indexer.ingest([tmp_path / "r.jsonl"], tmp_path / "ix")
    gc.unfreeze()
    try:
        search_quotes(tmp_path / "ix", SearchRequest(filters={"speaker": ("Steve Witkoff",)}))
        refs = quotetable.quote_refs(engine_for(tmp_path / "ix").session().table)
        assert sum(map(len, refs)) == 50
        # Frozen: a full collection no longer walks them (a 300 ms pause at 1M paragraphs).
        assert gc.get_freeze_count() > 50 and not any(gc.is_tracked(r) and r in gc.get_objects(2)
                                                      for r in refs[0])
    finally:
        gc.unfreeze()


def test_groups_from_index_families_equal_one_pass_over_the_listed_quotations(tmp_path):
    from search.engines.embedded import quotetable
    from search.engines.embedded.engine import engine_for

    opening = "We will not accept any deal that leaves hostages behind in Gaza"
    ending = "keep pressing the mediators in Doha and Cairo every single day"
    middle = "and we will"
    rows = [  # one family: the full quotation links its trimmed opening and its trimmed ending
        ("Wire", "2024-05-05", f'"{opening}, {middle} {ending}," Netanyahu said.'),
        ("Rewrite", "2024-05-06", f'Netanyahu said: "{opening}."'),
        ("Other", "2024-05-07", f'Netanyahu said: "{middle.capitalize()} {ending}."'),
        ("Echo", "2024-05-08", f'"{opening}," Netanyahu said, repeating himself.'),
        ("Wire", "2024-05-09", '"We will not accept any deal that ends the war now," Hamas said.'),
    ]
    lines = [json.dumps({"url": f"https://{o.lower()}.example/{i}", "source": o, "published": d,
                         "text": t}) for i, (o, d, t) in enumerate(rows)]
    briefings = gzip.open(SAMPLES / "whitehouse_gaza.jsonl.gz", "rt", encoding="utf-8")
    lines += [line.strip() for _, line in zip(range(6), briefings, strict=False)]
    (tmp_path / "r.jsonl").write_text("\n".join(lines))
    indexer.ingest([tmp_path / "r.jsonl"], tmp_path / "ix")
    session = engine_for(tmp_path / "ix").session()
    refs = quotetable.quote_refs(session.table)
    docs = [d for d, row in enumerate(refs) if row]
    assert sum(map(len, refs)) > 200

    def one_pass(order, speakers):
        grouper = quotetable._Grouper()
        for d in order:
            for ref in refs[d]:
                if speakers is None or ref.speaker in speakers:
                    grouper.add(ref)
        return [sorted((r.docnum, r.index) for r in g) for g in grouper.groups.values()]

    netanyahu = {"Benjamin Netanyahu"}
    # Every quotation; one speaker; the bridging quotation (the first) left out, so its family
    # falls apart; every other paragraph; the order reversed.
    for order, speakers in [(docs, None), (docs, netanyahu), (docs[1:], netanyahu),
                            (docs[::2], None), (docs[::-1], None), (docs[1:][::-1], None)]:
        got = quotetable.group_quotes(session, order, speakers, set())
        assert [sorted((r.docnum, r.index) for r in g) for g in got.values()] == \
            one_pass(order, speakers)
    # The four Netanyahu rows: one group; without the full quotation, two.
    assert len(quotetable.group_quotes(session, docs[:4], netanyahu, set())) == 1
    assert len(quotetable.group_quotes(session, docs[1:4], netanyahu, set())) == 2


def test_a_changed_registry_row_is_reported_by_check_and_refused_when_read(tmp_path):
    from indexer import registry
    from search import check_index, list_articles

    indexer.ingest([SEEDS], tmp_path / "ix")
    with registry.connect(tmp_path / "ix", write=True) as conn:
        # What a flipped byte inside SQLite's record does: a value changes, the page is valid.
        conn.execute("UPDATE articles SET paragraphs = paragraphs + 1 "
                     "WHERE article_id = 't44c18132313e5f2b'")
    report = check_index(tmp_path / "ix")
    assert any("registry" in p and "t44c18132313e5f2b" in p for p in report.problems)
    with pytest.raises(IndexCorrupt, match="registry of .* is damaged"):
        list_articles(tmp_path / "ix")
    with pytest.raises(IndexCorrupt):
        indexer.ingest([SEEDS], tmp_path / "ix")  # nor trusted to skip unchanged files


LUMI = ("Envoy Lumi Sato arrived in Doha on Monday to restart the ceasefire talks.\n\n"
        "Delegations from both sides met for three hours, officials said.\n\n"
        "\"We have a text both sides can read,\" Sato told reporters after the meeting.")


def _actors_file(tmp_path, name: str = "actors.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"actors": [
        {"name": "Lumi Sato", "type": "person", "aliases": ["Sato", "Envoy Sato"]}]}))
    return str(path)


def test_an_actors_file_travels_with_the_index_and_resolves_aliases_at_search_time(tmp_path):
    from click.testing import CliRunner

    from web.cli import cli

    src = tmp_path / "in" / "talks.jsonl"
    src.parent.mkdir()
    src.write_text(json.dumps({"id": "lumi1", "url": "https://example.org/lumi1",
                               "title": "Talks restart", "source": "Example Wire",
                               "published": "2026-02-02", "text": LUMI}) + "\n")
    ix = tmp_path / "ix"
    runner = CliRunner()
    done = runner.invoke(cli, ["index", str(src), "--index-dir", str(ix),
                               "--actors-file", _actors_file(tmp_path)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    (tmp_path / "actors.json").unlink()  # the file may go: the index keeps its entries
    found = search(ix, SearchRequest(filters={"actor": ("Envoy Sato",)}))
    assert found.total == 2 and all("Lumi Sato" in h.actors for h in found.hits)
    by_query = search(ix, SearchRequest(text='actor:"Envoy Sato" ceasefire'))
    assert [h.text for h in by_query.hits] == [LUMI.split("\n\n")[0]]
    quotes = search_quotes(ix, SearchRequest(filters={"speaker": ("Envoy Sato",)}))
    assert [q.speaker for q in quotes.quotes] == ["Lumi Sato"]
    # A later run without the file tags with the saved entries too.
    more = tmp_path / "in" / "more.jsonl"
    more.write_text(json.dumps({"id": "lumi2", "url": "https://example.org/lumi2",
                                "title": "Talks go on", "source": "Example Wire",
                                "published": "2026-02-03",
                                "text": "Sato said a second round would follow."}) + "\n")
    indexer.ingest([more], ix)
    assert search(ix, SearchRequest(filters={"actor": ("Sato",)})).total == 3
    # --rebuild without the file starts afresh, its entries forgotten.
    indexer.ingest([src], ix, rebuild=True)
    with pytest.raises(UnknownFilterValue, match="Envoy Sato"):  # explained, not a silent 0
        search(ix, SearchRequest(filters={"actor": ("Envoy Sato",)}))
