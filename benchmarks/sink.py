#!/usr/bin/env python3
"""A webhook receiver for benchmarks: HTTP/1.1 with keep-alive on 127.0.0.1.

It answers every POST with ``204`` at once and counts, per request path, the
requests and the distinct ``webhook-id`` headers (so a benchmark counts only
its own deliveries, and sees repeats), and the connections that carried them.
``GET /stats`` returns those counts as JSON and resets them.  It writes its
port on stdout, then serves until its stdin closes.  asyncio, one process of
its own: it takes no CPU from the process being measured beyond the wire.

    python3 benchmarks/sink.py
"""

import asyncio
import json
import sys
from collections import defaultdict

STATS = {"connections": 0, "requests": defaultdict(int), "ids": defaultdict(set)}


async def handle(reader, writer):
    posted = False  # connections are counted once they carry a POST
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.split(b"\r\n")
            method, path, _version = request_line.split(b" ", 2)
            length, msg_id = 0, None
            for line in header_lines:
                name, _sep, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"webhook-id":
                    msg_id = value.strip()
            if length:
                await reader.readexactly(length)
            if method == b"GET" and path == b"/stats":
                body = json.dumps(
                    {
                        "connections": STATS["connections"],
                        "requests": {k.decode(): v for k, v in STATS["requests"].items()},
                        "distinct_ids": {k.decode(): len(v) for k, v in STATS["ids"].items()},
                    }
                ).encode()
                STATS["connections"] = 0
                STATS["requests"].clear()
                STATS["ids"].clear()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
            else:
                if not posted:
                    posted = True
                    STATS["connections"] += 1
                STATS["requests"][path] += 1
                if msg_id:
                    STATS["ids"][path].add(msg_id)
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=256)
    sys.stdout.write(f"{server.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark goes away
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
