"""Outbound URLs (webhooks, CRM endpoints): http(s) only, public addresses only, pinned.

A host is resolved and every address checked; the request then goes to the checked address
itself (Host header and TLS SNI keep the name), so DNS rebinding between check and connect
cannot redirect it to an internal service.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

from core.errors import DomainError
from core.i18n import N_

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT = 5.0


class TargetRefused(DomainError):
    default_message = N_("This URL cannot be used.")


def parse_target_url(url: str) -> SplitResult:
    """The URL's parts if it is an absolute http(s) URL without credentials."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(N_("Enter a valid URL.")) from exc
    if parts.scheme not in ("http", "https"):
        raise TargetRefused(N_("Enter a URL starting with http:// or https://."))
    if not parts.hostname:
        raise TargetRefused(N_("Enter a valid URL."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(N_("Do not put a user name or password in the URL."))
    if port == 0:
        raise TargetRefused(N_("Enter a valid URL."))
    return parts


def is_public_address(address: IPAddress) -> bool:
    """Routable on the internet: not private, loopback, link-local, multicast or reserved."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def resolve_host(host: str) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT
        )
    except (OSError, TimeoutError) as exc:
        raise TargetRefused(N_("The host name of the URL cannot be resolved.")) from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(N_("The host name of the URL cannot be resolved."))
    return addresses


PRIVATE_TARGET = N_(
    "The URL points to a private, loopback or link-local address, which is not allowed."
)
LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa")


def check_target_form(url: str, allow_private: bool) -> SplitResult:
    """The checks a form can make without the network: a well-formed http(s) URL, and not a
    private address written as such. Saving never depends on DNS at that moment; the host is
    resolved and checked at each delivery (check_target), where a name that does not resolve
    shows as a failed delivery."""
    parts = parse_target_url(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if allow_private:
        return parts
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if (literal is not None and not is_public_address(literal)) or host.endswith(LOCAL_NAMES):
        raise TargetRefused(PRIVATE_TARGET)
    return parts


async def check_target(url: str, allow_private: bool) -> tuple[SplitResult, IPAddress]:
    """Parse and resolve `url`; refuse it if any address is not public (unless allowed).

    Returns the address to connect to. Every address must pass: a host that also resolves to
    an internal address is refused rather than hoping the good one is picked.
    """
    parts = parse_target_url(url)
    addresses = await resolve_host(parts.hostname or "")
    if not allow_private and not all(is_public_address(a) for a in addresses):
        raise TargetRefused(PRIVATE_TARGET)
    return parts, addresses[0]


async def pinned_post(
    client: httpx.AsyncClient,
    parts: SplitResult,
    address: IPAddress,
    *,
    content: bytes | str,
    headers: dict[str, str],
) -> httpx.Response:
    """POST to the already checked `address`, presenting the URL's host name."""
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    sent_headers = {**headers, "host": parts.netloc}
    extensions: dict[str, Any] = {}
    if parts.scheme == "https":
        extensions["sni_hostname"] = parts.hostname
    return await client.post(target, content=content, headers=sent_headers, extensions=extensions)
