"""The client's address, also behind reverse proxies we were told to trust.

``X-Forwarded-For`` is a list that every proxy extends with the address it received the
request from; anything left of what our own proxies wrote may have been typed by the client.
So the header counts only when the immediate peer is a trusted proxy, and the client is the
right-most address that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of ``Settings.trusted_proxies`` (checked when the settings were read)."""
    return tuple(ipaddress.ip_network(item) for item in trusted)


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it (``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``), else None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: ``peer``, or taken from ``forwarded_for`` (every X-Forwarded-For
    header, in order) when ``peer`` is one of the trusted proxies."""
    trusted = networks(trusted_proxies)
    peer_address = parse_address(peer) if peer else None
    if peer_address is None:
        return peer or "unknown"
    if not is_trusted(peer_address, trusted):
        return str(peer_address)
    client = peer_address
    entries = [entry for header in forwarded_for for entry in header.split(",")]
    for entry in reversed(entries):
        address = parse_address(entry)
        if address is None:
            break  # not written by a proxy of ours: the last trusted hop is all we know
        client = address
        if not is_trusted(address, trusted):
            break
    return str(client)
