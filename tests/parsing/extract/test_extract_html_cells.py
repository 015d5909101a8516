"""Table cells read from HTML: what a cell's markup hides, skips or splits, in any layout."""

from __future__ import annotations

import pytest

from app.parsing.extract.html import html_to_text


def cells_of(html: str) -> list[str]:
    """The cells of the page's one table row."""
    (row,) = [line.split("\t") for line in html_to_text(html).splitlines() if "\t" in line]
    return row


def one_row(*cells: str) -> str:
    return "<table><tr>" + "".join(cells) + "</tr></table>"


def test_word_exported_cells_read_as_their_text() -> None:
    word = (
        '<td style="font-family: 宋体;" width="43">\n  <p style="text-align: justify;">'
        '<span style="font-family: 宋体;">{}</span><span><o:p></o:p></span></p>\n  </td>'
    )
    labelled = '<span>2.<font face="方正仿宋_GBK">其他法律行政法规禁止公开</font></span>'
    assert cells_of(one_row(word.format(labelled), word.format("26"), word.format("&nbsp;"))) == [
        "2.其他法律行政法规禁止公开", "26", "",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "hidden",
    [
        '<span style="display:none">9</span>',
        '<span style="DISPLAY : NONE">9</span>',
        '<b style="visibility: hidden">9</b>',
        "<span hidden>9</span>",
        '<span aria-hidden="true">9</span>',
        '<span class="nav">9</span>',
        '<span id="breadcrumb">9</span>',
        "<button>9</button>",
        "<script>9</script>",
    ],
)
def test_hidden_chrome_and_controls_in_a_cell_are_not_read(hidden: str) -> None:
    assert cells_of(one_row(f"<td>{hidden}</td>", f"<td>{hidden}0</td>", "<td>1</td>")) == [
        "", "0", "1",
    ]  # fmt: skip


def test_a_hidden_cell_keeps_its_place_in_the_row() -> None:
    html = one_row('<td style="display:none">9</td>', "<td>0</td>", "<td>1</td>")
    assert cells_of(html) == ["", "0", "1"]


def test_visible_text_beside_a_hidden_or_chrome_element_is_read() -> None:
    html = one_row(
        '<td><span aria-hidden="false">3</span></td>',
        '<td><span class="content">4</span></td>',
        '<td><span style="color: red">5</span></td>',
    )
    assert cells_of(html) == ["3", "4", "5"]


def test_blocks_and_breaks_inside_a_cell_part_its_words() -> None:
    html = one_row(
        "<td><p>Times</p><p>New</p></td>",
        "<td><span>1</span><o:p></o:p><span>2</span></td>",
        "<td><div>本年新</div>制作数量</td>",
        "<td>0<br>\n</td>",
    )
    assert cells_of(html) == ["Times New", "1 2", "本年新制作数量", "0"]
