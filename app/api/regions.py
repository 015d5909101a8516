"""The region tree (GB/T 2260 codes): list, search and one region with its path and children."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Path, Query
from sqlalchemy import CTE, func, literal, select

from app.api import examples
from app.api.deps import Limit, Offset, RegionCode, SessionDep
from app.api.serialize import region_out, region_ref
from app.errors import NotFound, error_responses
from app.models import Region
from app.regions.data import RegionLevel
from app.schemas import Page, RegionDetail, RegionOut, RegionRef

router = APIRouter(prefix="/regions", tags=["regions"])


def region_and_descendants(code: str) -> CTE:
    """A recursive CTE of `code` and every region under it (column `code`)."""
    tree = select(Region.code).where(Region.code == literal(code)).cte("tree", recursive=True)
    return tree.union_all(select(Region.code).where(Region.parent_code == tree.c.code))


@router.get(
    "",
    summary="List regions",
    description="Provinces, prefecture-level cities and county-level divisions; filter by "
    "parent, level or a name fragment.",
    response_model=Page[RegionOut],
    responses={**examples.ok(examples.REGION_PAGE), **error_responses(422)},
)
def list_regions(
    session: SessionDep,
    parent: Annotated[RegionCode | None, Query(examples=["230800"])] = None,
    level: RegionLevel | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=50, examples=["前进"])] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[RegionOut]:
    query = select(Region)
    if parent is not None:
        query = query.where(Region.parent_code == parent)
    if level is not None:
        query = query.where(Region.level == level)
    if q is not None:
        query = query.where(Region.name.contains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Region.code).limit(limit).offset(offset))
    return Page(items=[region_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/{code}",
    summary="Get a region with its ancestors and children",
    response_model=RegionDetail,
    responses={**examples.ok(examples.REGION), **error_responses(404, 422)},
)
def get_region(
    session: SessionDep,
    code: Annotated[RegionCode, Path(examples=["230811"])],
) -> RegionDetail:
    region = session.get(Region, code)
    if region is None:
        raise NotFound(f"region {code} does not exist")
    path: list[RegionRef] = []
    node: Region | None = region
    while node is not None and len(path) < 5:
        ref = region_ref(node)
        assert ref is not None
        path.insert(0, ref)
        node = session.get(Region, node.parent_code) if node.parent_code else None
    children = session.scalars(
        select(Region).where(Region.parent_code == code).order_by(Region.code)
    )
    out = region_out(region)
    return RegionDetail(
        **out.model_dump(),
        path=path,
        children=[
            RegionRef(code=c.code, name=c.name, level=cast(RegionLevel, c.level)) for c in children
        ],
    )
