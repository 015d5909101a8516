"""Anything in, a ParsedReport or a ParseError out, quickly and in bounded memory.

Hypothesis runs derandomized so CI sees the same inputs every time; each call is timed and its
memory traced.
"""

from __future__ import annotations

import contextlib
import io
import random
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.parsing.decode import decode_text
from app.parsing.document import DOCX_TYPES, SUPPORTED_MEDIA_TYPES, parse_document
from app.parsing.model import ParsedReport, ParseError
from app.parsing.text import parse_text

FIXTURES = Path(__file__).parent / "fixtures"
EXTRACT = Path(__file__).parent / "extract" / "fixtures"
TEXTS = sorted((FIXTURES / "layouts").glob("*.txt")) + sorted(FIXTURES.glob("qinghe_*"))
SECONDS = 2.0
PEAK_BYTES = 200 * 1024 * 1024
FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _bounded(data: bytes, media_type: str) -> ParsedReport | None:
    """Parse within the time and memory bounds; None when the document was refused."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        return parse_document(data, media_type)
    except ParseError:
        return None
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert elapsed < SECONDS, f"{media_type}: {elapsed:.2f}s"
        assert peak < PEAK_BYTES, f"{media_type}: {peak:,} bytes"


@FUZZ
@given(data=st.binary(max_size=4096), media_type=st.sampled_from(SUPPORTED_MEDIA_TYPES))
def test_arbitrary_bytes(data: bytes, media_type: str) -> None:
    _bounded(data, media_type)


@FUZZ
@given(
    data=st.text(
        alphabet="一二三四五六（）、.|\t\n 0123456789总计本年新收规章其他第二十条", max_size=3000
    )
)
def test_table_like_text(data: str) -> None:
    _bounded(data.encode(), "text/plain")


@FUZZ
@given(fixture=st.sampled_from(TEXTS), seed=st.integers(0, 2**32 - 1))
def test_shuffled_lines(fixture: Path, seed: int) -> None:
    lines = decode_text(fixture.read_bytes()).split("\n")
    random.Random(seed).shuffle(lines)
    _bounded("\n".join(lines).encode(), "text/plain")


@FUZZ
@given(fixture=st.sampled_from(TEXTS), cut=st.floats(0, 1))
def test_cut_at_any_point(fixture: Path, cut: float) -> None:
    data = fixture.read_bytes()
    _bounded(data[: int(len(data) * cut)], "text/plain")


@FUZZ
@given(
    name=st.sampled_from(["yunling-2023.pdf", "yunling-2023.docx", "yunling-2023.html"]),
    seed=st.integers(0, 2**32 - 1),
    flips=st.integers(1, 64),
    cut=st.floats(0.05, 1),
)
def test_damaged_documents(name: str, seed: int, flips: int, cut: float) -> None:
    data = bytearray((EXTRACT / name).read_bytes())
    rng = random.Random(seed)
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    media = {".pdf": "application/pdf", ".docx": DOCX_TYPES[0], ".html": "text/html"}
    _bounded(bytes(data[: max(1, int(len(data) * cut))]), media[Path(name).suffix])


@pytest.mark.parametrize("depth", [200, 5_000, 50_000])
def test_deeply_nested_html(depth: int) -> None:
    html = (
        "<html><body>" + "<div><table><tr><td>" * depth + "0" + "</td></tr></table></div>" * depth
    )
    _bounded(html.encode(), "text/html")


def test_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (120 * 1024 * 1024))
    assert _bounded(buffer.getvalue(), DOCX_TYPES[0]) is None


def test_a_few_megabytes_of_table_rows() -> None:
    head = (FIXTURES / "qinghe_2021_tabs.txt").read_text(encoding="utf-8")
    rows = "\t\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0\t\n" * 60_000
    started = time.perf_counter()
    with contextlib.suppress(ParseError):
        parse_text(head + rows)
    assert time.perf_counter() - started < 10 * SECONDS


def test_one_long_line_of_run_together_digits() -> None:
    body = (
        "一、总体情况" + "一、本年新收政府信息公开申请数量" + "9" * 400 + "（七）总计" + "1" * 300
    )
    _bounded(body.encode(), "text/plain")


def test_every_row_a_long_ambiguous_run() -> None:
    """Regression: many long runs made the column sums multiply before they were capped."""
    labels = [
        "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开",
        "（二）部分公开", "1.属于国家秘密", "2.其他法律行政法规禁止公开", "（七）总计",
        "四、结转下年度继续办理",
    ]  # fmt: skip
    digits = "1234567890123456789"
    body = "".join(f"{label}{digits}" for label in labels)
    text = (
        "一、总体情况 三、收到和处理政府信息公开申请情况 申请人情况 " + body + " 五、存在的主要问题"
    )
    _bounded((text * 2).encode(), "text/plain")
