"""Typed ORM tables: regions, agencies, documents, reports, sections, cells and checks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Region(Base):
    """A GB/T 2260 administrative division: province, prefecture-level city or county."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    level: Mapped[str] = mapped_column(String(16))
    # "division" for GB/T 2260 units; "zone" for new areas and the like that report on their own.
    kind: Mapped[str] = mapped_column(String(16), default="division", server_default="division")
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("region.code"), index=True, default=None
    )
    former_names: Mapped[list[str]] = mapped_column(JSON, default=list)


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    region_code: Mapped[str | None] = mapped_column(
        ForeignKey("region.code"), index=True, default=None
    )
    kind: Mapped[str | None] = mapped_column(String(32), default=None)
    # Regions the name could denote when it does not settle one; empty once placed.
    region_candidates: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    region: Mapped[Region | None] = relationship(lazy="raise")


class Document(Base):
    """The bytes of an ingested document exactly as received, so it can be parsed again."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str | None] = mapped_column(String(500), default=None)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "revision"),
        Index("ix_report_year_current", "year", "is_current"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), unique=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    format: Mapped[str] = mapped_column(String(4))
    period_start: Mapped[date | None] = mapped_column(Date, default=None)
    period_end: Mapped[date | None] = mapped_column(Date, default=None)
    title: Mapped[str | None] = mapped_column(Text, default=None)
    publisher: Mapped[str | None] = mapped_column(String(200), default=None)
    contact_phone: Mapped[str | None] = mapped_column(String(100), default=None)
    source_url: Mapped[str | None] = mapped_column(Text, default=None)
    revision: Mapped[int] = mapped_column(SmallInteger, default=1)
    # Only the newest revision of an agency's report for a year is current.
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    ingested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    parser_version: Mapped[str] = mapped_column(String(32))
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_hints: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checks_passed: Mapped[int] = mapped_column(Integer, default=0)
    checks_failed: Mapped[int] = mapped_column(Integer, default=0)
    checks_not_assessable: Mapped[int] = mapped_column(Integer, default=0)
    # Generated for benchmarks by `gkstats synth`; never real data.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    agency: Mapped[Agency] = relationship(lazy="raise")
    document: Mapped[Document] = relationship(lazy="raise")


class Section(Base):
    __tablename__ = "section"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class Cell(Base):
    """One printed table cell. `value` is a double: exact for counts, and for amounts every
    decimal of up to 15 significant digits round-trips."""

    __tablename__ = "cell"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    table_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    col_key: Mapped[str] = mapped_column(String(24), primary_key=True)
    value: Mapped[float | None] = mapped_column(Double, default=None)
    raw: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(8), default=None)


class ReportCheck(Base):
    """One arithmetic rule applied to one column or row of a report's table."""

    __tablename__ = "report_check"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    table_key: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(16))
    left: Mapped[float | None] = mapped_column(Double, default=None)
    right: Mapped[float | None] = mapped_column(Double, default=None)
    difference: Mapped[float | None] = mapped_column(Double, default=None)
    cells: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")


class DataVersion(Base):
    """One row counting writes, so reads can answer If-None-Match without running a query."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def bump_data_version(session: Session) -> None:
    session.execute(update(DataVersion).values(version=DataVersion.version + 1))
