import pytest

from app.parsing.normalize import fold, strip_numbering
from app.parsing.templates import REQUEST_TEMPLATES


def _rows_matching(label: str) -> list[str]:
    folded = fold(label)
    return [t.key for t in REQUEST_TEMPLATES if t.matches(folded)]


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("（二）部分公开（区分处理的，只记这一情形，不计其他情形）", "partially_granted"),
        ("2.其他法律行政止公开", "denied_law_prohibited"),
        ('3.危及"三安全一稳定"', "denied_security_stability"),
        ("3.危及三安全一稳定", "denied_security_stability"),
        (
            "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "other_no_correction",
        ),
        ("4.无正当理由大量反复 申请", "not_processed_excessive"),
        ("(六) 其他处理", "other"),
        ("3．其他", "other_misc"),
        ("（七）总计", "processed_total"),
        ("一、本年新收政府信息公開申請數量", "new"),
    ],
)
def test_printed_variants_match_their_row(printed: str, key: str) -> None:
    assert _rows_matching(printed) == [key]


def test_fold_removes_pinyin_glosses_and_traditional_forms() -> None:
    assert fold("數(shù)據(jù) 總計") == "数据总计"


def test_strip_numbering() -> None:
    assert strip_numbering(fold("（三）1. 属于国家秘密")) == "属于国家秘密"
    assert strip_numbering(fold("三、（一）予以公开")) == "予以公开"
