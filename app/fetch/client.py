"""Fetching one web address: guarded at every hop, bounded in size and time, conditional."""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.message import Message
from types import TracebackType
from urllib.parse import unquote, urlsplit

import httpx2

from app.errors import PayloadTooLarge
from app.fetch.guard import FetchFailed, Resolver, checked_address, system_resolver

USER_AGENT = "gkstats/0.1 (government information-disclosure annual reports)"
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said identifies the version it sent, for asking later whether it changed."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # where the body came from, after redirects
    status: int  # 200, or 304 when the validators sent still hold
    content_type: str
    body: bytes
    validators: Validators
    filename: str | None  # Content-Disposition's, else the last part of the path

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """An HTTP client that connects only to addresses `checked_address` allows, follows at most
    MAX_REDIRECTS redirects (checking each), reads at most `max_bytes`, and waits `delay`
    seconds between two requests to the same host."""

    def __init__(
        self,
        *,
        allowed_hosts: frozenset[str] = frozenset(),
        max_bytes: int,
        timeout: float = 30.0,
        delay: float = 0.0,
        resolve: Resolver = system_resolver,
    ) -> None:
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.delay = delay
        self.requests = 0  # every request made, redirects and 304s included
        self.downloads = 0  # bodies received (status 200)
        self._resolve = resolve
        self._last_request: dict[str, float] = {}
        # No proxies from the environment: a proxy would make the connection, to addresses
        # never checked here.
        self._client = httpx2.Client(
            trust_env=False,
            follow_redirects=False,
            timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": USER_AGENT},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, validators: Validators | None = None) -> Fetched:
        """The body at `url`; a 304 (empty body) when `validators` still hold."""
        try:
            current = httpx2.URL(url)
        except (httpx2.InvalidURL, TypeError) as exc:
            raise FetchFailed(f"{url!r} is not a web address: {exc}") from exc
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            fetched = self._request(current, validators, deadline)
            if isinstance(fetched, Fetched):
                return fetched
            current = fetched
        raise FetchFailed(f"{url} redirects more than {MAX_REDIRECTS} times")

    def _request(
        self, url: httpx2.URL, validators: Validators | None, deadline: float
    ) -> Fetched | httpx2.URL:
        """The response at `url`, or the address it redirects to."""
        address = checked_address(url, self.allowed_hosts, self._resolve)
        self._wait_turn(url.host)
        headers = {"Host": url.netloc.decode("ascii")}
        headers.update(validators.headers() if validators else {})
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else None
        self.requests += 1
        try:
            with self._client.stream(
                "GET", url.copy_with(host=address), headers=headers, extensions=extensions
            ) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    return url.join(response.headers["location"])
                if response.status_code == 304:
                    return self._fetched(url, response, b"")
                if response.status_code != 200:
                    failed = FetchFailed(
                        f"{url} answered {response.status_code} {response.reason_phrase}".strip()
                    )
                    failed.http_status = response.status_code
                    raise failed
                self.downloads += 1
                return self._fetched(url, response, self._read(url, response, deadline))
        except httpx2.HTTPError as exc:
            raise FetchFailed(f"{url} could not be fetched: {exc or type(exc).__name__}") from exc
        finally:
            self._last_request[url.host] = time.monotonic()

    def _wait_turn(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None and self.delay > 0:
            time.sleep(max(0.0, last + self.delay - time.monotonic()))

    def _read(self, url: httpx2.URL, response: httpx2.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise PayloadTooLarge(f"{url} is larger than the {self.max_bytes}-byte limit")
        chunks: list[bytes] = []
        size = 0
        # Counted after decompression: a small gzip body cannot unpack past the limit.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise PayloadTooLarge(f"{url} is larger than the {self.max_bytes}-byte limit")
            if time.monotonic() > deadline:
                raise FetchFailed(f"{url} took longer than {self.timeout:g} s to send")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _fetched(url: httpx2.URL, response: httpx2.Response, body: bytes) -> Fetched:
        return Fetched(
            url=str(url),
            status=response.status_code,
            content_type=response.headers.get("content-type", ""),
            body=body,
            validators=Validators(
                response.headers.get("etag"), response.headers.get("last-modified")
            ),
            filename=_filename(response.headers.get("content-disposition"), str(url)),
        )


def _filename(disposition: str | None, url: str) -> str | None:
    if disposition:
        message = Message()
        message["content-disposition"] = disposition
        name = message.get_filename()
        if name:
            return name.rsplit("/", 1)[-1]
    last = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return last or None
