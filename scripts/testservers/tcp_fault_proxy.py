#!/usr/bin/env python3
"""Fault-injecting TCP relay for storage protocols that are not HTTP (XRootD's root://).

Owns: relaying each accepted connection to one upstream host:port, byte for byte, and, with
probability --rate per connection (a seeded RNG), resetting it (SO_LINGER 0 on both sides) once a
random number of bytes, up to --max-bytes, has passed in either direction: a connection that dies
in the middle of a request or of a transfer. It knows nothing of the protocol it carries.

Python 3 standard library only. Binds 127.0.0.1 on an ephemeral port and prints `PORT <n>` once
it accepts connections. Counts ({"connections": n, "faults": {"reset": k}}) go to --stats.
"""
import argparse
import json
import random
import socket
import struct
import threading


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True, help="host:port of the real server")
    parser.add_argument("--rate", type=float, default=0.1, help="share of connections reset")
    parser.add_argument("--max-bytes", type=int, default=200000, help="a reset comes after at most this many bytes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", help="file to write JSON counts to")
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    rng = random.Random(args.seed)
    lock = threading.Lock()
    stats = {"connections": 0, "faults": {"reset": 0}}

    def write_stats():
        if args.stats:
            with open(args.stats, "w") as f:
                json.dump(stats, f)

    def hard_close(*socks):
        for s in socks:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            except OSError:
                pass

    def relay(client):
        with lock:
            stats["connections"] += 1
            budget = rng.randint(0, args.max_bytes) if rng.random() < args.rate else None
            write_stats()
        try:
            upstream = socket.create_connection((host, int(port)))
        except OSError:
            return hard_close(client)
        state = {"left": budget, "done": False}

        def pump(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    with lock:
                        if state["left"] is not None:
                            if len(data) >= state["left"]:
                                # What fits in the budget goes through, then the connection dies.
                                dst.sendall(data[: state["left"]])
                                stats["faults"]["reset"] += 1
                                write_stats()
                                state["left"] = None
                                state["done"] = True
                                hard_close(src, dst)
                                return
                            state["left"] -= len(data)
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                if not state["done"]:
                    try:
                        dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass

        a = threading.Thread(target=pump, args=(client, upstream), daemon=True)
        b = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        a.start()
        b.start()
        a.join()
        b.join()
        if state["done"]:
            hard_close(client, upstream)
        else:
            client.close()
            upstream.close()

    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    print("PORT", server.getsockname()[1], flush=True)
    while True:
        client, _ = server.accept()
        threading.Thread(target=relay, args=(client,), daemon=True).start()


if __name__ == "__main__":
    main()
