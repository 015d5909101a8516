FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/gkstats

# LibreOffice converts .doc and .wps reports to DOCX (Writer) and .xls to XLSX (Calc), for
# POST /reports/fetch and gkstats crawl.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libreoffice-writer-nogui libreoffice-calc-nogui && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY examples ./examples
# Editable, so the migrations beside the package are found where pyproject.toml points.
# The embedded SQLite default writes under data/, which the service's user owns; mount a
# volume there to keep it.
RUN pip install -e . && useradd --system --home /srv/gkstats gkstats \
    && mkdir -p /srv/gkstats/data && chown gkstats:gkstats /srv/gkstats/data
VOLUME /srv/gkstats/data
USER gkstats

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/ready')"
CMD ["sh", "-c", "gkstats migrate && gkstats serve --host 0.0.0.0 --port 8000 --workers 2"]
