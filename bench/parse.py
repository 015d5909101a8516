"""Parse time per report, by kind of document: median and p90 of repeated parses.

Our own examples and fixtures always; the seed report and the real corpus documents when
../shared is present beside the checkout. The parser caches what reports repeat (row labels,
cells like "0"), so each document's first parse is shown too, and every text, Markdown and
HTML document of the corpus is parsed once, each after the others before it, for the median
of parses that meet a document for the first time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

from app.errors import ApiError
from app.ingest import parse_for_ingest
from app.parsing.document import media_type_for

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = REPO / "tests" / "parsing" / "extract" / "fixtures"
OUT = Path(__file__).resolve().parent / "out"
TARGETS_MS = {"text": 5.0, "markdown": 5.0, "html": 5.0, "pdf": 300.0}


def documents() -> list[tuple[str, Path]]:
    """(kind, path) of every document timed, ours first."""
    found = [
        ("text", REPO / "examples" / "2020-qinghe-yunling-data-bureau.txt"),
        ("text", SHARED / "seed" / "000_f4133f615d5c2536.txt"),
        ("markdown", REPO / "examples" / "2023-qinghe-yunling-data-bureau.md"),
        ("html", FIXTURES / "yunling-2023.html"),
        ("html", SHARED / "corpus" / "111.html"),
        ("docx", FIXTURES / "yunling-2023.docx"),
        ("pdf", FIXTURES / "yunling-2023.pdf"),
        *(("pdf", SHARED / "corpus" / f"{n:03d}.pdf") for n in (22, 23, 24)),
    ]
    return [(kind, path) for kind, path in found if path.exists()]


def _parse_once(path: Path) -> float:
    media_type = media_type_for(path.name, None)
    assert media_type is not None
    data = path.read_bytes()
    start = time.perf_counter()
    with contextlib.suppress(ApiError):  # a fragment without agency or year: parsed all the same
        parse_for_ingest(data, media_type)
    return (time.perf_counter() - start) * 1000


def first_parses() -> list[float]:
    """Each corpus text, Markdown and HTML document parsed once, in order."""
    corpus = SHARED / "corpus"
    paths = sorted(p for p in corpus.glob("*") if p.suffix in (".txt", ".md", ".html"))
    return [_parse_once(path) for path in paths]


def time_parse(path: Path, repeat: int) -> tuple[float, list[float]]:
    data = path.read_bytes()
    media_type = media_type_for(path.name, None)
    assert media_type is not None
    first = _parse_once(path)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        parse_for_ingest(data, media_type)
        times.append((time.perf_counter() - start) * 1000)
    return first, times


def time_placing(repeat: int = 500) -> float:
    """Median microseconds to place an agency, which every new agency's ingest does."""
    from app.regions.placing import place_agency

    place_agency("淮安市人民政府")  # loads the region tree
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        place_agency("淮安市洪泽区发展和改革委员会", phone_area_code="0517")
        place_agency("朝阳区教育局", phone_area_code="0431", source_domain="js.changchun.gov.cn")
        times.append((time.perf_counter() - start) * 1e6 / 2)
    return statistics.median(times)


def _import_readers() -> None:
    # Module imports are a one-off cost of the process, not of a parse.
    import app.parsing.extract.docx
    import app.parsing.extract.html
    import app.parsing.extract.pdf  # noqa: F401


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench parse")
    parser.add_argument("--repeat", type=int, default=50, help="parses per text document")
    parser.add_argument("--repeat-pdf", type=int, default=10, help="parses per PDF or DOCX")
    args, _ = parser.parse_known_args(argv)

    _import_readers()
    rows: list[dict[str, Any]] = []
    by_kind: dict[str, list[float]] = {}
    for kind, path in documents():
        repeat = args.repeat_pdf if kind in ("pdf", "docx") else args.repeat
        first, times = time_parse(path, repeat)
        rows.append(
            {
                "kind": kind,
                "document": str(path.relative_to(path.parents[1])),
                "bytes": path.stat().st_size,
                "first_ms": round(first, 2),
                "median_ms": round(statistics.median(times), 2),
                "p90_ms": round(percentile(times, 0.9), 2),
                "runs": repeat,
            }
        )
        by_kind.setdefault(kind, []).append(statistics.median(times))
    kinds = {
        kind: {
            "median_ms": round(statistics.median(medians), 2),
            "target_ms": TARGETS_MS.get(kind),
            "documents": len(medians),
        }
        for kind, medians in by_kind.items()
    }
    print(f"{'kind':<9}{'document':<44}{'bytes':>9}{'first ms':>10}{'median ms':>11}{'p90 ms':>9}")
    for row in rows:
        print(
            f"{row['kind']:<9}{row['document']:<44}{row['bytes']:>9}{row['first_ms']:>10.2f}"
            f"{row['median_ms']:>11.2f}{row['p90_ms']:>9.2f}"
        )
    for kind, summary in kinds.items():
        target = summary["target_ms"]
        verdict = "" if target is None else f"  (target <= {target:g} ms)"
        print(f"{kind}: median of medians {summary['median_ms']:.2f} ms{verdict}")
    corpus: dict[str, Any] = {}
    if (SHARED / "corpus").exists():
        once = first_parses()
        corpus = {
            "documents": len(once),
            "median_ms": round(statistics.median(once), 2),
            "p90_ms": round(percentile(once, 0.9), 2),
        }
        print(
            f"corpus text/Markdown/HTML, each parsed once: median {corpus['median_ms']:.2f} ms, "
            f"p90 {corpus['p90_ms']:.2f} ms over {len(once)} documents"
        )
    placing = time_placing()
    print(f"placing an agency by name, phone and domain: median {placing:.1f} µs (target < 1000)")
    OUT.mkdir(exist_ok=True)
    (OUT / "parse.json").write_text(
        json.dumps(
            {
                "documents": rows,
                "kinds": kinds,
                "corpus_first_parses": corpus,
                "placing_us": round(placing, 1),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0
