"""Person-name detection measured on CoNLL-2002 files (token [POS] IOB-tag per line).

Each sentence is rebuilt as text (tokens joined by one space) with the character offsets of its
tokens; sentences are sent in batches separated by blank lines, so Frog never joins two of them.
Belfort's PERSON spans are compared with the gold PER spans: exactly (same first and last token)
and by token overlap (a prediction and a gold span share at least one token).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from appliance.privacy import detect_pii
from models.base import NerTagger


@dataclass
class Sentence:
    tokens: list[str]
    tags: list[str]
    doc: int = 0

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def offsets(self) -> list[tuple[int, int]]:
        out, pos = [], 0
        for tok in self.tokens:
            out.append((pos, pos + len(tok)))
            pos += len(tok) + 1
        return out

    def gold_spans(self, label: str = "PER") -> list[tuple[int, int]]:
        """(first token, last token + 1) of each gold entity of `label`; IOB1 and IOB2 both read."""
        spans: list[tuple[int, int]] = []
        start: int | None = None
        for i, tag in enumerate(self.tags + ["O"]):
            kind = tag[2:] if len(tag) > 2 else ""
            opens = kind == label and (tag.startswith("B-") or start is None)
            if start is not None and (kind != label or tag.startswith("B-")):
                spans.append((start, i))
                start = None
            if opens:
                start = i
        return spans


def read_conll(path: Path) -> Iterator[Sentence]:
    """Sentences of a CoNLL-2002 file: first column the token, last column the tag."""
    doc = 0
    tokens: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            cols = line.split()
            if not cols:
                if tokens:
                    yield Sentence(tokens, tags, doc)
                    tokens, tags = [], []
                continue
            if cols[0] == "-DOCSTART-":
                doc += 1
                continue
            tokens.append(cols[0])
            tags.append(cols[-1] if len(cols) > 1 else "O")
    if tokens:
        yield Sentence(tokens, tags, doc)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    support: int = 0

    def as_dict(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": self.support,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class PiiEvaluation:
    exact: Counts = field(default_factory=Counts)
    overlap: Counts = field(default_factory=Counts)
    n_sentences: int = 0
    n_tokens: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "per": self.exact.as_dict(),
            "per_overlap": self.overlap.as_dict(),
            "n_sentences": self.n_sentences,
            "n_tokens": self.n_tokens,
            "seconds": round(self.seconds, 2),
            "tokens_per_second": round(self.n_tokens / self.seconds, 1) if self.seconds else 0.0,
        }


def _predicted_token_spans(sentence: Sentence, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans (relative to the sentence) as token spans; partial tokens count as touched."""
    offsets = sentence.offsets()
    out = []
    for s, e in spans:
        touched = [i for i, (ts, te) in enumerate(offsets) if ts < e and te > s]
        if touched:
            out.append((touched[0], touched[-1] + 1))
    return out


def score_sentence(result: PiiEvaluation, gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> None:
    result.exact.support += len(gold)
    result.overlap.support += len(gold)
    gold_set, pred_set = set(gold), set(pred)
    result.exact.tp += len(gold_set & pred_set)
    result.exact.fp += len(pred_set - gold_set)
    result.exact.fn += len(gold_set - pred_set)

    def meets(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return a[0] < b[1] and b[0] < a[1]

    result.overlap.tp += sum(1 for g in gold_set if any(meets(g, p) for p in pred_set))
    result.overlap.fn += sum(1 for g in gold_set if not any(meets(g, p) for p in pred_set))
    result.overlap.fp += sum(1 for p in pred_set if not any(meets(g, p) for g in gold_set))


def evaluate_pii(
    path: Path,
    *,
    ner: NerTagger | None,
    limit: int | None = None,
    batch_sentences: int = 200,
    first_names: frozenset[str] = frozenset(),
) -> PiiEvaluation:
    """Span-level precision/recall/F1 of PERSON against the gold PER spans of a CoNLL file."""
    sentences: list[Sentence] = []
    for sent in read_conll(path):
        if limit is not None and len(sentences) >= limit:
            break
        sentences.append(sent)
    result = PiiEvaluation(n_sentences=len(sentences), n_tokens=sum(len(s.tokens) for s in sentences))
    started = time.perf_counter()
    # One call per document (cut into batches when long): rules that look across sentences, such
    # as a surname repeated after a full mention, must not look into the next article.
    batches: list[list[Sentence]] = []
    for sent in sentences:
        if not batches or batches[-1][-1].doc != sent.doc or len(batches[-1]) >= batch_sentences:
            batches.append([])
        batches[-1].append(sent)
    for batch in batches:
        starts, pieces, pos = [], [], 0
        for sent in batch:
            starts.append(pos)
            pieces.append(sent.text)
            pos += len(sent.text) + 2
        spans = detect_pii("\n\n".join(pieces), ner=ner, entities={"PERSON"}, first_names=first_names)
        for sent, base in zip(batch, starts):
            end = base + len(sent.text)
            local = [(s.start - base, s.end - base) for s in spans if s.start >= base and s.end <= end]
            score_sentence(result, sent.gold_spans("PER"), _predicted_token_spans(sent, local))
    result.seconds = time.perf_counter() - started
    return result
