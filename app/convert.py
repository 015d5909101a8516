"""Word 97 (.doc) and WPS documents to DOCX, through LibreOffice run headless.

Not part of app/parsing: it runs a program. The DOCX it writes is parsed like any other.
Each conversion has a profile folder of its own (LibreOffice refuses to run twice on one
profile) and a time bound, after which the program is killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from app.errors import Unprocessable, UnsupportedMediaType

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Media types and suffixes of documents LibreOffice converts to DOCX for the parser.
CONVERTIBLE_TYPES = {
    "application/msword": ".doc",
    "application/vnd.ms-word": ".doc",
    "application/wps-office.wps": ".wps",
    "application/vnd.ms-works": ".wps",
    "application/kswps": ".wps",
}
CONVERTIBLE_SUFFIXES = (".doc", ".wps")
INSTALL_HINT = (
    "reading .doc and .wps documents needs LibreOffice Writer on the server "
    "(Debian: apt-get install libreoffice-writer-nogui)"
)


class ConversionFailed(Unprocessable):
    code = "conversion_failed"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, suffix: str, timeout: float = 60.0) -> bytes:
    """The document as DOCX; 415 when LibreOffice is not installed, 422 when it fails."""
    program = soffice()
    if program is None:
        raise UnsupportedMediaType(INSTALL_HINT)
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
            "docx:MS Word 2007 XML",
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
        converted = work / "out" / "document.docx"
        if not converted.is_file():
            raise ConversionFailed(
                f"LibreOffice could not convert the {suffix} document to DOCX; it may be "
                "damaged, or not a word-processing document"
            )
        return converted.read_bytes()


# The media type a Word 97 or WPS document is stored under, by its suffix.
STORED_TYPES = {".doc": "application/msword", ".wps": "application/vnd.ms-works"}


def readable(data: bytes, media_type: str, timeout: float) -> tuple[bytes, str, str | None]:
    """What the parser reads for a stored document: a Word 97 or WPS document as DOCX (with a
    note saying so), anything else as it is. The original stays what is stored, so a later
    parser (or a better LibreOffice) reads it again from the source."""
    suffix = CONVERTIBLE_TYPES.get(media_type)
    if suffix is None:
        return data, media_type, None
    note = f"read from {suffix} as DOCX converted by LibreOffice"
    return to_docx(data, suffix, timeout), DOCX, note
