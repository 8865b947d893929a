"""The client's address behind reverse proxies (the parsing; tests/accounts/test_sign_in.py
shows it through HTTP)."""

from __future__ import annotations

import pytest

from web.proxies import client_address

TRUSTED = ("10.0.0.1/32", "192.168.0.0/16", "fd00::/8")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # no trusted proxy between us and the client: the header is whatever the client typed
        ("198.51.100.7", ["203.0.113.5"], "198.51.100.7"),
        ("10.0.0.1", [], "10.0.0.1"),
        # the right-most address that is no proxy of ours; spoofed entries left of it do not count
        ("10.0.0.1", ["1.1.1.1, 203.0.113.5"], "203.0.113.5"),
        ("10.0.0.1", ["1.1.1.1, 203.0.113.5, 192.168.4.2"], "203.0.113.5"),
        ("10.0.0.1", ["1.1.1.1", "203.0.113.5, 192.168.4.2"], "203.0.113.5"),
        # ports, brackets, IPv4 written as IPv6
        ("10.0.0.1", ["203.0.113.5:61000"], "203.0.113.5"),
        ("10.0.0.1", ["[2001:db8::5]:443"], "2001:db8::5"),
        ("::ffff:10.0.0.1", ["::ffff:203.0.113.5"], "203.0.113.5"),
        ("fd00::1", ["2001:DB8::5"], "2001:db8::5"),
        # every hop is ours: the left-most is the nearest to the client we know of
        ("10.0.0.1", ["192.168.9.9, 192.168.4.2"], "192.168.9.9"),
        # what no proxy of ours writes ends the search at the last hop we trust
        ("10.0.0.1", ["203.0.113.5, unknown, 192.168.4.2"], "192.168.4.2"),
        ("10.0.0.1", ["garbage"], "10.0.0.1"),
        # a peer that is no IP address (a Unix socket, a test client)
        ("testclient", ["203.0.113.5"], "testclient"),
        (None, ["203.0.113.5"], "unknown"),
    ],
)
def test_client_address(peer: str | None, forwarded: list[str], client: str) -> None:
    assert client_address(peer, forwarded, TRUSTED) == client


def test_nothing_is_trusted_by_default() -> None:
    assert client_address("127.0.0.1", ["203.0.113.5"], ()) == "127.0.0.1"
