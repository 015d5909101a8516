"""Stats rollups (rollup_report, cell_rollup, report_rollup) and an index on cell keys

Reports stored before this revision are counted here by SQL written out in this file over the
tables as they stand at this revision, not by the app's code, which will come to expect columns
these tables do not have yet. It gives what app.rollup.rebuild_rollups gives on them: each
current report with its agency's placement (province, city and county codes), report counts at
county, city, province and country grain, and sums at city, province and country grain of every
readable cell and of the four rates' numerators and denominators. When app/rollup.py changes
what the rollups hold, a new migration rebuilds them; tests/test_migrations_upgrade.py fails
until one does.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _group_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("province_code", sa.String(length=12), nullable=False),
        sa.Column("city_code", sa.String(length=12), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("agency_kind", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
    ]


_GROUP_KEY = ["synthetic", "province_code", "city_code", "county_code", "year", "agency_kind"]


def upgrade() -> None:
    with op.batch_alter_table("cell") as batch:
        batch.create_index(
            "ix_cell_key", ["table_key", "row_key", "col_key", "report_id", "value"], unique=False
        )
    op.create_table(
        "rollup_report",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("agency_kind", sa.String(length=32), nullable=False),
        sa.Column("province_code", sa.String(length=12), nullable=False),
        sa.Column("city_code", sa.String(length=12), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("has_failures", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_rollup_report_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_rollup_report")),
    )
    op.create_index(
        "ix_rollup_report_agency_id_year", "rollup_report", ["agency_id", "year"], unique=False
    )
    op.create_table(
        "cell_rollup",
        sa.Column("metric", sa.String(length=96), nullable=False),
        sa.Column("grain", sa.String(length=8), nullable=False),
        *_group_columns(),
        sa.Column("value_sum", sa.Double(), nullable=False),
        sa.Column("denominator_sum", sa.Double(), nullable=True),
        sa.Column("reports_with_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "metric", "grain", *_GROUP_KEY, "format", name=op.f("pk_cell_rollup")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_rollup",
        sa.Column("grain", sa.String(length=8), nullable=False),
        *_group_columns(),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("reports_failing", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("grain", *_GROUP_KEY, "format", name=op.f("pk_report_rollup")),
        sqlite_with_rowid=False,
    )
    # Reports stored before this revision are counted now, by the SQL below.
    for statement in _rebuild_statements():
        op.execute(sa.text(statement))


# The rates as they are defined at this revision: (name, numerator, denominator), each a sum of
# cells (table, row, column) with a sign, over reports where every cell named is readable.
_DENIED_ROWS = (
    "denied_state_secret",
    "denied_law_prohibited",
    "denied_security_stability",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_inquiry",
)
_PROCESSED = ((("requests", "processed_total", "total"), 1),)
_LITIGATION_ROWS = ("litigation_direct", "litigation_after_reconsideration")
_RATIOS = (
    (
        "disclosure_rate",
        ((("requests", "granted", "total"), 1), (("requests", "partially_granted", "total"), 1)),
        _PROCESSED,
    ),
    (
        "denial_rate",
        tuple((("requests", row, "total"), 1) for row in _DENIED_ROWS),
        _PROCESSED,
    ),
    (
        "reconsideration_correction_rate",
        ((("reviews", "reconsideration", "corrected"), 1),),
        (
            (("reviews", "reconsideration", "total"), 1),
            (("reviews", "reconsideration", "pending"), -1),
        ),
    ),
    (
        "litigation_correction_rate",
        tuple((("reviews", row, "corrected"), 1) for row in _LITIGATION_ROWS),
        tuple(
            term
            for row in _LITIGATION_ROWS
            for term in ((("reviews", row, "total"), 1), (("reviews", row, "pending"), -1))
        ),
    ),
)

# Each region's province, city and county codes ("" where none): a county may hang off a city
# or directly off a province, a city off a province.
_PLACEMENT = """
SELECT r.code,
       COALESCE(CASE WHEN r.level = 'province' THEN r.code
                     WHEN r.level = 'city' THEN r.parent_code
                     WHEN p.level = 'province' THEN p.code
                     ELSE p.parent_code END, '') AS province_code,
       CASE WHEN r.level = 'city' THEN r.code
            WHEN r.level = 'county' AND p.level = 'city' THEN p.code
            ELSE '' END AS city_code,
       CASE WHEN r.level = 'county' THEN r.code ELSE '' END AS county_code
FROM region AS r LEFT OUTER JOIN region AS p ON p.code = r.parent_code
"""

_COUNT_REPORTS = f"""
INSERT INTO rollup_report (report_id, agency_id, year, synthetic, format, agency_kind,
                           province_code, city_code, county_code, has_failures)
SELECT report.id, report.agency_id, report.year, report.synthetic, report.format,
       COALESCE(agency.kind, ''),
       COALESCE(placement.province_code, ''),
       COALESCE(placement.city_code, ''),
       COALESCE(placement.county_code, ''),
       report.checks_failed > 0
FROM report
JOIN agency ON agency.id = report.agency_id
LEFT OUTER JOIN ({_PLACEMENT}) AS placement ON placement.code = agency.region_code
WHERE report.is_current
"""

_GROUP_COLUMNS = (
    "synthetic",
    "province_code",
    "city_code",
    "county_code",
    "year",
    "agency_kind",
    "format",
)
_GROUP = ", ".join(_GROUP_COLUMNS)
# What each grain keeps of the placement; the rest is stored as "".
_KEPT = {
    "county": ("province_code", "city_code", "county_code"),
    "city": ("province_code", "city_code"),
    "province": ("province_code",),
    "country": (),
}


def _dimensions(grain: str, source: str) -> tuple[str, str]:
    """The group columns for `grain` as selected from `source`, and the ones grouped on."""
    kept = _KEPT[grain]
    selected, grouped = [], []
    for name in _GROUP_COLUMNS:
        if name.endswith("_code") and name not in kept:
            selected.append("''")
        else:
            selected.append(f"{source}.{name}")
            grouped.append(f"{source}.{name}")
    return ", ".join(selected), ", ".join(grouped)


def _matches(key: tuple[str, str, str]) -> str:
    table, row, col = key
    return f"(cell.table_key = '{table}' AND cell.row_key = '{row}' AND cell.col_key = '{col}')"


def _weighted(terms: tuple[tuple[tuple[str, str, str], int], ...]) -> str:
    cases = " ".join(f"WHEN {_matches(key)} THEN cell.value * {sign}" for key, sign in terms)
    return f"SUM(CASE {cases} END)"


def _measures() -> str:
    """(report_id, metric, value, denominator): every readable cell, and every rate of a report
    whose cells for it are all readable."""
    parts = [
        "SELECT cell.report_id AS report_id,"
        " cell.table_key || '.' || cell.row_key || '.' || cell.col_key AS metric,"
        " cell.value AS value, CAST(NULL AS DOUBLE PRECISION) AS denominator"
        " FROM cell WHERE cell.value IS NOT NULL"
    ]
    for name, numerator, denominator in _RATIOS:
        components = list(dict.fromkeys(key for key, _ in numerator + denominator))
        parts.append(
            f"SELECT cell.report_id, '{name}', {_weighted(numerator)}, {_weighted(denominator)}"
            f" FROM cell WHERE {' OR '.join(_matches(key) for key in components)}"
            f" GROUP BY cell.report_id HAVING COUNT(cell.value) = {len(components)}"
        )
    return "\nUNION ALL\n".join(parts)


def _rebuild_statements() -> list[str]:
    statements = [_COUNT_REPORTS]
    selected, grouped = _dimensions("city", "counted")
    statements.append(
        f"INSERT INTO cell_rollup (grain, metric, {_GROUP},"
        " value_sum, denominator_sum, reports_with_value)"
        f" SELECT 'city', measures.metric, {selected},"
        " SUM(measures.value), SUM(measures.denominator), COUNT(*)"
        f" FROM ({_measures()}) AS measures"
        " JOIN rollup_report AS counted ON counted.report_id = measures.report_id"
        f" GROUP BY measures.metric, {grouped}"
    )
    selected, grouped = _dimensions("county", "counted")
    statements.append(
        f"INSERT INTO report_rollup (grain, {_GROUP}, reports, reports_failing)"
        f" SELECT 'county', {selected},"
        " COUNT(*), SUM(CASE WHEN counted.has_failures THEN 1 ELSE 0 END)"
        f" FROM rollup_report AS counted GROUP BY {grouped}"
    )
    for finer, coarser in (("county", "city"), ("city", "province"), ("province", "country")):
        selected, grouped = _dimensions(coarser, "finer")
        if finer != "county":
            statements.append(
                f"INSERT INTO cell_rollup (grain, metric, {_GROUP},"
                " value_sum, denominator_sum, reports_with_value)"
                f" SELECT '{coarser}', finer.metric, {selected}, SUM(finer.value_sum),"
                " SUM(finer.denominator_sum), SUM(finer.reports_with_value)"
                f" FROM cell_rollup AS finer WHERE finer.grain = '{finer}'"
                f" GROUP BY finer.metric, {grouped}"
            )
        statements.append(
            f"INSERT INTO report_rollup (grain, {_GROUP}, reports, reports_failing)"
            f" SELECT '{coarser}', {selected}, SUM(finer.reports), SUM(finer.reports_failing)"
            f" FROM report_rollup AS finer WHERE finer.grain = '{finer}' GROUP BY {grouped}"
        )
    return statements


def downgrade() -> None:
    op.drop_table("report_rollup")
    op.drop_table("cell_rollup")
    op.drop_index("ix_rollup_report_agency_id_year", table_name="rollup_report")
    op.drop_table("rollup_report")
    with op.batch_alter_table("cell") as batch:
        batch.drop_index("ix_cell_key")
