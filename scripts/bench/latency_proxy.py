#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that delays every chunk by half a round trip in each direction.

Unlike kubesim's --delay-ms (added once per HTTP request), this also puts the round trips of
TCP and TLS connection set-up on the path, as a remote API server does.

usage: latency_proxy.py UPSTREAM_PORT RTT_MS EXIT_AFTER_SECS
prints "READY <port>" when listening; exits after EXIT_AFTER_SECS or on SIGTERM.
"""
import asyncio
import signal
import sys
import time

upstream_port = int(sys.argv[1])
half = int(sys.argv[2]) / 2000.0
exit_after = float(sys.argv[3])


async def pump(reader, writer):
    """Copies reader to writer, delivering each chunk `half` seconds after it arrived."""
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except OSError:
            pass

    task = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((time.monotonic() + half, data or None))
            if not data:
                break
    except OSError:
        queue.put_nowait((time.monotonic(), None))
    try:
        await task
    except OSError:
        pass


async def handle(client_reader, client_writer):
    try:
        # Connection set-up: the SYN/SYN-ACK round trip.
        await asyncio.sleep(2 * half)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, up_writer), pump(up_reader, client_writer),
                             return_exceptions=True)
        for w in (client_writer, up_writer):
            w.close()
    except asyncio.CancelledError:
        client_writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), exit_after)
    except asyncio.TimeoutError:
        pass
    server.close()


asyncio.run(main())
