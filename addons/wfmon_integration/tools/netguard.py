"""Server-side request forgery guard for webhook destinations.

A destination is refused when its scheme is not http(s), when it carries
credentials, or when its host resolves (any of its addresses) to a loopback,
private, link-local, multicast, reserved or unspecified address, unless the
caller allows private destinations.  Plain ``http`` is only accepted together
with ``allow_private`` (development and internal networks).

The check resolves names at send time; a DNS answer that changes between the
check and the connection (rebinding) is narrowed, not closed, by checking just
before each attempt.
"""

import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeDestination(Exception):
    """The URL may not be called."""


def _is_public(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url_syntax(url, allow_private=False):
    """Scheme, host and credentials checks that need no DNS; returns the split URL."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http"):
        raise UnsafeDestination("only https:// URLs can receive webhooks")
    if parts.scheme == "http" and not allow_private:
        raise UnsafeDestination(
            "plain http:// is only allowed when private destinations are allowed in Settings"
        )
    if not parts.hostname:
        raise UnsafeDestination("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeDestination("credentials in the URL are not allowed; use custom headers")
    return parts


def check_destination(url, allow_private=False, resolver=socket.getaddrinfo):
    """Raise :class:`UnsafeDestination` unless ``url`` may be called.

    :param resolver: ``getaddrinfo``-compatible callable (tests inject one)
    :return: the list of resolved IP addresses
    """
    parts = check_url_syntax(url, allow_private=allow_private)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = resolver(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise UnsafeDestination(f"cannot resolve {parts.hostname}: {exc}") from exc
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise UnsafeDestination(f"{parts.hostname} has no address")
    if not allow_private:
        blocked = [a for a in addresses if not _is_public(a)]
        if blocked:
            raise UnsafeDestination(
                f"{parts.hostname} resolves to a private, loopback or link-local "
                f"address ({', '.join(blocked)}); allow private destinations in Settings "
                "to call it"
            )
    return addresses
