"""Fusion of the keyword and vector rankings, and the support a passage gets from its document's others."""

from __future__ import annotations

from appliance.search.fusion import fuse, with_document_support


def test_weighted_fusion_lets_the_heavier_ranking_decide() -> None:
    keyword = [(1, 9.0), (2, 5.0)]
    vector = [(2, 0.9), (1, 0.8)]
    assert fuse([keyword, vector], 60)[0][1] == fuse([keyword, vector], 60)[1][1]  # a tie, broken by id
    assert [c for c, _ in fuse([keyword, vector], 60, (2.0, 1.0))] == [1, 2]
    assert [c for c, _ in fuse([keyword, vector], 60, (0.5, 1.0))] == [2, 1]
    only_vector = fuse([keyword, vector], 60, (0.0, 1.0))
    assert [c for c, _ in only_vector] == [2, 1]


def test_a_document_that_answers_in_several_places_outranks_one_strong_passage() -> None:
    # passage 1 (document 10) is best alone; document 20 has three good passages
    ranked = [(1, 1.0), (2, 0.9), (3, 0.8), (4, 0.7), (5, 0.1)]
    doc_of = {1: 10, 2: 20, 3: 20, 4: 20, 5: 10}
    out = with_document_support(ranked, doc_of, share=0.5, depth=3)
    assert [c for c, _ in out][:2] == [2, 3]  # document 20's passages first, its best one leading
    assert dict(out)[2] == 0.9 + 0.5 * (0.8 + 0.7)
    assert dict(out)[1] == 1.0 + 0.5 * 0.1
    assert sorted(c for c, _ in out) == [1, 2, 3, 4, 5]  # still every passage, once


def test_depth_bounds_the_support_and_no_share_changes_nothing() -> None:
    ranked = [(1, 1.0), (2, 0.9), (3, 0.8), (4, 0.7)]
    doc_of = {1: 10, 2: 20, 3: 20, 4: 20}
    assert dict(with_document_support(ranked, doc_of, share=0.5, depth=2))[2] == 0.9 + 0.5 * 0.8
    assert with_document_support(ranked, doc_of, share=0.0, depth=3) == ranked
    assert with_document_support(ranked, doc_of, share=0.5, depth=1) == ranked
