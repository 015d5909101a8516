"""Bounds on a document's size, far above any annual report's: past one, it is refused unread.

An annual report is small by construction. The national formats fix its three tables: 二 holds
at most 22 numbers (the 2019 format's five blocks), 三 holds 23 or 25 rows × 7 applicant
columns (175 numbers at most), 四 one row of 15; with their labels and header rows the three fill
about 400 grid slots (the blank 2021 Word template has 324 cells). Parts 一, 五 and 六 are a few
pages of prose. The largest figures among the real reports in ../shared (corpus/ and seed/) and
our fixtures (examples/, tests/parsing/fixtures, tests/parsing/extract/fixtures):

    extracted text   6,315 characters (corpus/022 as `pdftotext -layout`)
                     711 lines (a fixture with every cell on a line of its own and a blank line
                     after it; 690 for a real one, corpus/022 as plain `pdftotext`)
    PDF              6 pages (corpus/022)
    Word (DOCX)      324 table cells, 360 paragraphs (the 2021 template, filled in)
    HTML             1,785 elements, 297 table cells (corpus/111, a 111 KB page saved with its
                     site chrome: navigation, scripts, footer)

Each bound leaves a margin of 15 to 150 times that, for reports longer than those seen (a
province's, with appendices), while a document just under a bound still parses in about a
second on a busy 2-core machine. A document under the upload limit can hold far more: 20 MB of
text is a million table rows, which took some 40 s and nearly 1 GB of memory to read. The counts
are taken before the expensive step they guard (lines counted in the bytes before decoding,
pages before any page is read, cells in the markup before a tree is built), so refusing costs
milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.parsing.model import DocumentTooLarge


@dataclass(frozen=True, slots=True)
class Bound:
    limit: int
    unit: str  # what is counted, e.g. "lines"
    usual: str  # how much of it an annual report has, for the message

    def check(self, count: int, holder: str, *, at_least: bool = False) -> None:
        """Raise DocumentTooLarge when `count` exceeds the limit.

        `at_least` when counting stopped at the bound, so `count` is only how far it got.
        """
        if count > self.limit:
            has = "has at least" if at_least else "has"
            raise DocumentTooLarge(
                f"{holder} {has} {count:,} {self.unit}; {self.usual} (limit {self.limit:,})"
            )


# Text, whatever it was extracted from. 1,000,000 characters is 150 times the longest report
# and parses in well under a second as prose. Lines cost more than characters (every line is
# tokenised and tried as a table row): 50,000 lines of table rows parse in one to two seconds,
# and that is 70 times the most a report's layout has needed.
TEXT_CHARS = Bound(
    1_000_000, "characters", "an annual report runs to a few tens of thousands at most"
)
TEXT_LINES = Bound(50_000, "lines", "an annual report runs to a few thousand at most")

# Reports run to 4–6 pages, a long one to a few dozen. Reading a page costs 10–20 ms, and the
# page count is known before any page is read.
PDF_PAGES = Bound(100, "pages", "an annual report runs to a few dozen at most")

# Table cells as written in the markup (<td>/<th>, <w:tc>): the three tables need about 400, a
# report with tables of its own in its prose perhaps a few thousand. 20,000 is 60 times the
# largest seen.
TABLE_CELLS = Bound(20_000, "table cells", "an annual report's tables hold a few hundred")

# One table's grid once row and column spans are laid out. Spans multiply cells (HTML allows
# colspan 1000 and rowspan 65534), so the grid is bounded apart from the cells written: five
# times the cells bound, so no table within that is refused for a few merged cells, and 300
# times the grid of a report's table 三.
GRID_CELLS = Bound(
    100_000, "grid cells once its merged cells are laid out", "a report's table fills a few hundred"
)

# Word: every table cell holds at least one paragraph, so 50,000 allows the cells above plus a
# long report's prose many times over; it matches the text bound, one line per paragraph.
DOCX_PARAGRAPHS = Bound(50_000, "paragraphs", "an annual report has a few thousand at most")
# A DOCX is a ZIP: its parts, unpacked, bound the XML read into memory (a report's document.xml
# is about 250 KB; embedded images account for the rest), and a Word file has a few dozen parts.
DOCX_UNPACKED_BYTES = Bound(
    50 * 1024 * 1024, "bytes unpacked", "a report's Word file unpacks to a few megabytes"
)
DOCX_ENTRIES = Bound(10_000, "parts", "a Word file has a few dozen")

# HTML: a saved page carries site chrome (corpus/111: 1,785 elements for a 297-cell report);
# pages exported from Word style every run of text (the originals of corpus/101–105 are 110,000
# to 355,000 characters). 100,000 elements is 50 times the largest seen. The characters of the
# source are bounded at about the upload limit: images inlined as data: URIs make a page long
# without making it large to parse.
HTML_ELEMENTS = Bound(
    100_000, "elements", "an annual report's page, site chrome and all, has a few thousand"
)
HTML_CHARS = Bound(
    20_000_000, "characters", "an annual report's page, scripts and all, has a few hundred thousand"
)


def count_lines(text: str | bytes) -> int:
    """The number of lines, CR-only line ends counted too; quick on megabytes of text."""
    if isinstance(text, bytes):
        breaks = text.count(b"\n") or text.count(b"\r")
        open_end = bool(text) and not text.endswith((b"\n", b"\r"))
    else:
        breaks = text.count("\n") or text.count("\r")
        open_end = bool(text) and not text.endswith(("\n", "\r"))
    return breaks + open_end


def check_text(text: str) -> None:
    """Refuse text longer than any report, before any work is done on it."""
    TEXT_LINES.check(count_lines(text), "the text")
    TEXT_CHARS.check(len(text), "the text")
