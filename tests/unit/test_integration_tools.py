"""Tests of the SSRF guard, event envelopes, health verdicts and Prometheus text."""

import json
import socket
import sys

import pytest
from conftest import load_tool

netguard = load_tool("wfmon_integration", "netguard")
envelope = load_tool("wfmon_integration", "envelope")
health = load_tool("wfmon_integration", "health")
prometheus = load_tool("wfmon_integration", "prometheus")


def fake_resolver(mapping):
    def resolve(host, port, proto=0):
        if host not in mapping:
            raise socket.gaierror("unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, proto, "", (ip, port)) for ip in mapping[host]]

    return resolve


RESOLVER = fake_resolver(
    {
        "hooks.example.com": ["93.184.216.34"],
        "evil.example.com": ["93.184.216.34", "10.0.0.5"],
        "localhost": ["127.0.0.1"],
        "meta.example.com": ["169.254.169.254"],
        "v6.example.com": ["::1"],
        "mapped.example.com": ["::ffff:192.168.1.1"],
        "zero.example.com": ["0.0.0.0"],
    }
)


def test_public_https_allowed():
    assert netguard.check_destination("https://hooks.example.com/x", resolver=RESOLVER) == [
        "93.184.216.34"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/",
        "https://localhost:8443/",
        "https://meta.example.com/latest",
        "https://v6.example.com/",
        "https://mapped.example.com/",
        "https://zero.example.com/",
        "https://127.0.0.1/",
        "https://[::1]/",
    ],
)
def test_private_destinations_refused(url):
    resolver = RESOLVER
    with pytest.raises(netguard.UnsafeDestination):
        netguard.check_destination(
            url,
            resolver=lambda h, p, proto=0: (
                resolver(h, p, proto)
                if not h[0].isdigit() and ":" not in h
                else [(socket.AF_INET, socket.SOCK_STREAM, proto, "", (h, p))]
            ),
        )


def test_private_allowed_when_enabled():
    assert netguard.check_destination(
        "http://localhost:8080/hook", allow_private=True, resolver=RESOLVER
    ) == ["127.0.0.1"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "file:///etc/passwd",
        "https:///nohost",
        "",
        None,
        "https://user:pw@hooks.example.com/",
    ],
)
def test_bad_urls_refused(url):
    with pytest.raises(netguard.UnsafeDestination):
        netguard.check_destination(url, allow_private=True, resolver=RESOLVER)


def test_plain_http_needs_private_setting():
    with pytest.raises(netguard.UnsafeDestination):
        netguard.check_destination("http://hooks.example.com/", resolver=RESOLVER)


def test_unresolvable_refused():
    with pytest.raises(netguard.UnsafeDestination):
        netguard.check_destination("https://nowhere.example.com/", resolver=RESOLVER)


def test_envelope_shape_and_id():
    from datetime import datetime

    body, truncated = envelope.build_envelope("case.opened", datetime(2026, 11, 23, 10), {"id": 3})
    assert not truncated
    assert json.loads(body) == {
        "type": "case.opened",
        "timestamp": "2026-11-23T10:00:00Z",
        "data": {"id": 3},
    }
    event_id = envelope.new_event_id()
    assert event_id.startswith("evt_") and len(event_id) == 36


def test_envelope_truncates_large_data():
    from datetime import datetime

    data = {"id": 7, "reference": "EXC-000007", "details": "x" * 30000}
    body, truncated = envelope.build_envelope("case.updated", datetime(2026, 1, 1), data)
    assert truncated
    assert len(body.encode()) < envelope.MAX_PAYLOAD_BYTES
    assert json.loads(body)["data"] == {"id": 7, "reference": "EXC-000007", "truncated": True}


def test_envelope_counts_bytes_not_characters():
    from datetime import datetime

    data = {"id": 1, "text": "é" * 12000}  # 12,000 characters, 24,000 bytes
    _body, truncated = envelope.build_envelope("x", datetime(2026, 1, 1), data)
    assert truncated


def test_health_verdicts():
    th = health.Thresholds(max_consecutive_failures=3, min_success_rate=0.5, min_sample=10)
    assert health.verdict(3, 3, 0, th)[0]
    assert not health.verdict(2, 3, 1, th)[0]
    assert health.verdict(0, 20, 5, th)[0]  # 25 % over 20 attempts
    assert not health.verdict(0, 5, 0, th)[0]  # too few attempts to judge the rate
    assert not health.verdict(0, 0, 0, th)[0]
    assert health.success_rate(0, 0) is None


def test_health_recovers_after_a_streak_of_successes():
    th = health.Thresholds(max_consecutive_failures=5, min_success_rate=0.5, window=20)
    streak = health.recovery_streak(th)
    assert streak == 10
    # After any outage the window holds the streak and the failures before it.
    assert health.verdict(0, 20, streak - 1, th)[0]
    assert not health.verdict(0, 20, streak, th)[0]
    assert health.verdict(0, 20, 9, th)[1] == "9 of the last 20 attempts succeeded"


def test_prometheus_rendering():
    text = prometheus.render(
        [
            ("wfmon_cases", "gauge", "Cases.", [({"type": 'a"b', "sev": "high"}, 3)]),
            ("wfmon_up", "gauge", "Up.", [({}, 1)]),
        ]
    )
    assert "# TYPE wfmon_cases gauge" in text
    assert 'wfmon_cases{sev="high",type="a\\"b"} 3' in text
    assert "wfmon_up 1" in text
    with pytest.raises(ValueError):
        prometheus.render([("bad name", "gauge", "x", [])])


def test_no_odoo_import():
    assert "odoo" not in sys.modules
