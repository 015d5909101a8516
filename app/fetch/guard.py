"""Which addresses a fetch may connect to: public ones only, never the server's own network."""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import httpx2

from app.errors import Unprocessable


class FetchRefused(Unprocessable):
    code = "fetch_refused"


class FetchFailed(Unprocessable):
    code = "fetch_failed"
    http_status: int | None = None  # the server's status, when it answered


IPAddress = IPv4Address | IPv6Address
# getaddrinfo's signature, narrowed to what is used: (host, port) → addresses.
Resolver = Callable[[str, int], Sequence[str]]

# Cloud metadata services answer on these with the instance's credentials.
METADATA_ADDRESSES = frozenset({ip_address("169.254.169.254"), ip_address("fd00:ec2::254")})
_NAT64 = ip_network("64:ff9b::/96")


def is_public(address: IPAddress) -> bool:
    """Whether an address lies on the public internet (not loopback, private, link-local,
    multicast, reserved or a metadata service), also when it wraps an IPv4 address."""
    if address in METADATA_ADDRESSES:
        return False
    if isinstance(address, IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"the host {host!r} could not be found: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_address(
    url: httpx2.URL, allowed_hosts: frozenset[str], resolve: Resolver = system_resolver
) -> str:
    """The address to connect to for `url`, once it is known to be one a fetch may reach.

    The host is resolved here, once, and the connection is made to the address returned: a
    second lookup at connect time could be answered differently (DNS rebinding). Every address
    the name resolves to must be public, unless the host is one of `allowed_hosts`.
    """
    if url.scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https addresses are fetched, not {url.scheme!r}")
    host = url.host
    if not host:
        raise FetchRefused(f"the address {url} names no host")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = [ip_address(host)]
    except ValueError:
        addresses = [ip_address(a.split("%", 1)[0]) for a in resolve(host, port)]
    if not addresses:
        raise FetchFailed(f"the host {host!r} has no address")
    if host.lower() not in allowed_hosts:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise FetchRefused(
                f"{host} resolves to {refused[0]}, which is not a public address: fetches "
                "never reach the server's own network (FETCH_ALLOWED_HOSTS lists hosts "
                "that may)"
            )
    return str(addresses[0])
