"""Search: the parts of current reports matching words, phrases and exclusions, in Chinese."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from app.api import examples
from app.api.deps import Limit, Offset, RegionCode, SessionDep, Year
from app.api.tabular import SHEET_NOTE, Answer, Column, Sheet, add_sheet_routes
from app.errors import Unprocessable, error_responses
from app.regions.placing import AgencyKind
from app.schemas import AgencyName, Page, SearchHit, SearchSection
from app.search import Hit, SearchFilter, marked, parse_query, search
from app.stats import GEOGRAPHIC, region_scope

router = APIRouter(prefix="/search", tags=["search"])

MAX_QUERY = 200

_SUMMARY = "Search the parts of current reports"
_DESCRIPTION = (
    "Full text over the preamble (part 0) and the six parts (一 to 六, 1 to 6) of current "
    "reports: earlier and withdrawn revisions are not searched.\n\n"
    '**Query.** Words separated by spaces must all be present. `"…"` is a phrase: its words '
    'in that order, one after the other. `-word` or `-"…"` must be absent. Chinese is '
    "segmented into words (jieba), in the query as in the reports, so `疫情 公开` finds parts "
    "holding both words; a term made of several words (`疫情防控` is 疫情 + 防控) is a phrase "
    "of them. A word is also found inside a longer dictionary word (安全 in 数据安全). "
    "Traditional characters find simplified ones and back; Latin letters ignore case. A query "
    "with no word to look for (empty, punctuation, only exclusions) is a 422 `empty_query`.\n\n"
    "**Hits**, best first (then by report and part): the report, its agency and year, the part, "
    "a `snippet` of plain text around the first match and `highlights`, the [start, end) "
    "offsets of the query's words in the snippet (code points). `rank` is the engine's own "
    "relevance and is comparable within one answer only. "
    + SHEET_NOTE.format(path="/api/v1/search")
    + " A spreadsheet's `snippet` marks the matches in 【】."
)

Query_ = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY,
        description='Words (ANDed), "phrases" and -exclusions.',
        examples=["疫情 公开", '"依申请公开" -行政复议', "數據安全"],
    ),
]


def search_answer(
    session: SessionDep,
    q: Query_,
    region: Annotated[
        RegionCode | None,
        Query(description="A region code; everything under it is included.", examples=["230800"]),
    ] = None,
    year_from: Annotated[Year | None, Query(description="First year (inclusive).")] = None,
    year_to: Annotated[Year | None, Query(description="Last year (inclusive).")] = None,
    section: Annotated[
        int | None, Query(ge=0, le=6, description="Only this part: 1 to 6, or 0 for the preamble.")
    ] = None,
    agency_kind: Annotated[
        AgencyKind | None, Query(description="Only agencies of this kind.")
    ] = None,
    synthetic: Annotated[
        bool | None,
        Query(description="`false`: documents only; `true`: synthetic reports only; unset: both."),
    ] = None,
    limit: Annotated[Limit, Query(description="Page size (at most 1000).")] = 100,
    offset: Annotated[Offset, Query(description="Hits to skip.")] = 0,
) -> Answer[Page[SearchHit], SearchHit]:
    query = parse_query(q)
    column = None
    if region is not None:
        scope = region_scope(session, region)
        if scope is None:
            raise Unprocessable(f"region {region!r} is not a known code; see /api/v1/regions")
        column = GEOGRAPHIC[scope.level]
    filters = SearchFilter(
        region_column=column,
        region_code=region,
        year_from=year_from,
        year_to=year_to,
        section=section,
        agency_kind=agency_kind,
        synthetic=synthetic,
    )
    hits, total = search(session.connection(), query, filters, limit=limit, offset=offset)
    items = [_hit_out(h) for h in hits]
    page = Page[SearchHit](items=items, total=total, limit=limit, offset=offset)
    return Answer(page, Sheet("gkstats-search", "search", SEARCH_COLUMNS, items))


def _hit_out(hit: Hit) -> SearchHit:
    return SearchHit(
        report_id=hit.report_id,
        agency=AgencyName(id=hit.agency_id, name=hit.agency_name),
        year=hit.year,
        report_title=hit.report_title,
        section=SearchSection(number=hit.number, key=hit.key, title=hit.title),
        snippet=hit.snippet,
        highlights=hit.highlights,
        rank=hit.rank,
    )


SEARCH_COLUMNS: tuple[Column[SearchHit], ...] = (
    Column("report_id", lambda h: h.report_id),
    Column("agency_id", lambda h: h.agency.id),
    Column("agency", lambda h: h.agency.name),
    Column("year", lambda h: h.year),
    Column("section", lambda h: h.section.number),
    Column("section_title", lambda h: h.section.title),
    Column("snippet", lambda h: marked(h.snippet, h.highlights)),
    Column("rank", lambda h: h.rank),
)

# Before the JSON route, as elsewhere: `/search.csv` must not be taken for it.
add_sheet_routes(
    router,
    "",
    search_answer,
    name="search",
    summary=_SUMMARY,
    description=_DESCRIPTION,
    csv_example=examples.SEARCH_CSV,
    errors=(422,),
)


@router.get(
    "",
    summary=_SUMMARY,
    description=_DESCRIPTION,
    response_model=Page[SearchHit],
    responses={**examples.ok(examples.SEARCH_PAGE), **error_responses(422)},
)
def search_reports(
    answer: Annotated[Answer[Page[SearchHit], SearchHit], Depends(search_answer)],
) -> Any:
    return answer.model
