"""Word 97 (.doc), WPS and Excel 97 (.xls) documents to DOCX or XLSX, through LibreOffice run
headless.

Not part of app/parsing: it runs a program. The file it writes is parsed like any other, and
the original is what is stored, so a later parser (or a better LibreOffice) reads it again
from the source. Each conversion has a profile folder of its own (LibreOffice refuses to run
twice on one profile) and a time bound, after which the program is killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import Unprocessable, UnsupportedMediaType

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Target:
    media_type: str  # what the parser reads
    filter: str  # LibreOffice's export filter
    suffix: str  # of the file LibreOffice writes
    component: str  # the Debian package LibreOffice needs for it


_TO_DOCX = Target(DOCX, "docx:MS Word 2007 XML", ".docx", "libreoffice-writer-nogui")
_TO_XLSX = Target(XLSX, "xlsx:Calc MS Excel 2007 XML", ".xlsx", "libreoffice-calc-nogui")
# The suffix each old format is known by, and what it is read as.
TARGETS = {".doc": _TO_DOCX, ".wps": _TO_DOCX, ".xls": _TO_XLSX}
# Media types of the old formats, and their suffix.
CONVERTIBLE_TYPES = {
    "application/msword": ".doc",
    "application/vnd.ms-word": ".doc",
    "application/vnd.ms-works": ".wps",
    "application/wps-office.wps": ".wps",
    "application/kswps": ".wps",
    "application/vnd.ms-excel": ".xls",
}
CONVERTIBLE_SUFFIXES = tuple(TARGETS)
# The media type each is stored under.
STORED_TYPES = {
    ".doc": "application/msword",
    ".wps": "application/vnd.ms-works",
    ".xls": "application/vnd.ms-excel",
}


class ConversionFailed(Unprocessable):
    code = "conversion_failed"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def install_hint(suffix: str) -> str:
    target = TARGETS[suffix]
    return (
        f"reading {suffix} documents needs LibreOffice on the server "
        f"(Debian: apt-get install {target.component})"
    )


def convert(data: bytes, suffix: str, timeout: float = 60.0) -> bytes:
    """The document in the format it is read as (DOCX or XLSX); 415 when LibreOffice is not
    installed, 422 when it fails."""
    target = TARGETS[suffix]
    program = soffice()
    if program is None:
        raise UnsupportedMediaType(install_hint(suffix))
    with tempfile.TemporaryDirectory(prefix="gkstats-convert-") as folder:
        work = Path(folder)
        source = work / f"document{suffix}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target.filter,
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        # A session of its own: LibreOffice's launcher starts the program as a child, and on
        # timeout both must go.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise ConversionFailed(
                f"LibreOffice took longer than {timeout:g} s to convert the {suffix} document"
            ) from None
        converted = work / "out" / f"document{target.suffix}"
        if not converted.is_file():
            raise ConversionFailed(
                f"LibreOffice could not convert the {suffix} document to "
                f"{target.suffix[1:].upper()}; it may be damaged, or not what its name says"
            )
        return converted.read_bytes()


def readable(data: bytes, media_type: str, timeout: float) -> tuple[bytes, str, str | None]:
    """What the parser reads for a stored document: an old Word, WPS or Excel document
    converted (with a note saying so), anything else as it is."""
    suffix = CONVERTIBLE_TYPES.get(media_type)
    if suffix is None:
        return data, media_type, None
    target = TARGETS[suffix]
    note = f"read from {suffix} as {target.suffix[1:].upper()} converted by LibreOffice"
    return convert(data, suffix, timeout), target.media_type, note
