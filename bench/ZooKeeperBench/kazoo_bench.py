"""The kazoo half of ZooKeeperBench, driven over stdin so that its rounds interleave with the Gating client's.

usage: kazoo_bench.py HOSTS ROOT, then one command a line, one JSON answer a line:
  lat OP START COUNT    sequential calls (sync API) on ROOT/l<START..>; answers the latencies in microseconds
  pipe OP START COUNT   all calls issued at once (async API) on ROOT/t<START..>; answers the elapsed seconds
  quit
OP is create, getData or setData; values are 1 KB.
"""
import json
import sys
import time

from kazoo.client import KazooClient

VALUE = b"x" * 1024


def main():
    hosts, root = sys.argv[1], sys.argv[2]
    zk = KazooClient(hosts=hosts, timeout=30)
    zk.start(timeout=30)
    zk.ensure_path(root)
    sync_calls = {
        "create": lambda p: zk.create(p, VALUE),
        "getData": lambda p: zk.get(p),
        "setData": lambda p: zk.set(p, VALUE),
    }
    async_calls = {
        "create": lambda p: zk.create_async(p, VALUE),
        "getData": lambda p: zk.get_async(p),
        "setData": lambda p: zk.set_async(p, VALUE),
    }
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        kind, op, start, count = parts[0], parts[1], int(parts[2]), int(parts[3])
        if kind == "lat":
            call = sync_calls[op]
            samples = []
            for i in range(start, start + count):
                begin = time.perf_counter()
                call(f"{root}/l{i}")
                samples.append((time.perf_counter() - begin) * 1e6)
            answer = samples
        else:
            call = async_calls[op]
            begin = time.perf_counter()
            pending = [call(f"{root}/t{i}") for i in range(start, start + count)]
            for p in pending:
                p.get(timeout=120)
            answer = time.perf_counter() - begin
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    zk.stop()


if __name__ == "__main__":
    main()
