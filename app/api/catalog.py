"""The catalog: every table, row and column key with its labels and the formats that have it."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter

from app.api import examples
from app.catalog import FORMATS, PREAMBLE, SECTIONS, TABLES
from app.parsing import CELL_STATUSES
from app.schemas import Catalog, CatalogColumn, CatalogRow, CatalogSection, CatalogTable

router = APIRouter(prefix="/catalog", tags=["catalog"])


@lru_cache
def build_catalog() -> Catalog:
    tables = []
    for table in TABLES.values():
        rows = [
            CatalogRow(
                key=row.key,
                label_zh=row.label_zh,
                label_en=row.label_en,
                formats=list(row.formats),
                columns={
                    fmt: [
                        CatalogColumn(
                            key=c.key, label_zh=c.label_zh, label_en=c.label_en, kind=c.kind
                        )
                        for c in table.columns_for(row, fmt)
                    ]
                    for fmt in row.formats
                },
            )
            for row in table.rows
        ]
        tables.append(
            CatalogTable(
                key=table.key,
                part=table.part,
                title_zh=table.title_zh,
                title_en=table.title_en,
                rows=rows,
            )
        )
    return Catalog(
        tables=tables,
        sections=[
            CatalogSection(number=s.number, key=s.key, title_zh=s.title_zh, title_en=s.title_en)
            for s in (PREAMBLE, *SECTIONS)
        ],
        cell_statuses=list(CELL_STATUSES),
        formats=list(FORMATS),
    )


@router.get(
    "",
    summary="Every key, with labels and formats",
    description="Cells are addressed as `table.row.col`; this lists every key with its Chinese "
    "and English label and the report formats (2019, 2021) that print it.",
    response_model=Catalog,
    responses=examples.ok(examples.CATALOG),
)
def get_catalog() -> Catalog:
    return build_catalog()
