"""Parsing of the HTTP ``Retry-After`` header (RFC 9110 section 10.2.3)."""

from datetime import timezone
from email.utils import parsedate_to_datetime

MAX_RETRY_AFTER = 24 * 3600  # never wait longer than a day because a server said so


def parse_retry_after(value, now, maximum=MAX_RETRY_AFTER):
    """Seconds to wait, or ``None`` when ``value`` is absent or unusable.

    :param value: header value: delta-seconds (``"120"``) or an HTTP-date
        (``"Wed, 21 Oct 2015 07:28:00 GMT"``)
    :param now: aware or naive-UTC ``datetime`` of the response
    :param maximum: upper bound in seconds
    """
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if value.isdigit():
        return min(int(value), maximum)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    seconds = (when - now).total_seconds()
    return int(min(max(seconds, 0), maximum))


def http_date(moment):
    """Format a naive-UTC or aware ``datetime`` as an IMF-fixdate (for tests and servers)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
