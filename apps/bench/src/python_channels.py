"""Python's multiprocessing.Queue and Pipe moving small items, for the ratios weft's channels are
measured against (apps/bench/src/channels.mjs runs it in the same sitting)."""
import json
import multiprocessing as mp
import sys
import threading
import time


def produce_queue(queue, n):
    for i in range(n):
        queue.put(i)
    queue.put(None)


def produce_pipe(conn, n):
    for i in range(n):
        conn.send(i)
    conn.send(None)
    conn.close()


def drain_queue(queue):
    count = 0
    while queue.get() is not None:
        count += 1
    return count


def queue_fed_by(worker_class, n):
    """Items/s through a Queue that a worker (a Process or a Thread) feeds and the main side drains."""
    queue = mp.Queue()
    start = time.perf_counter()
    worker = worker_class(target=produce_queue, args=(queue, n))
    worker.start()
    count = drain_queue(queue)
    elapsed = time.perf_counter() - start
    worker.join()
    assert count == n
    return n / elapsed


def queue_from_process(n):
    return queue_fed_by(mp.Process, n)


def queue_from_thread(n):
    return queue_fed_by(threading.Thread, n)


def pipe_from_process(n):
    here, there = mp.Pipe()
    start = time.perf_counter()
    worker = mp.Process(target=produce_pipe, args=(there, n))
    worker.start()
    count = 0
    while here.recv() is not None:
        count += 1
    elapsed = time.perf_counter() - start
    worker.join()
    assert count == n
    return n / elapsed


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    measures = {"queue_process": queue_from_process, "pipe_process": pipe_from_process, "queue_thread": queue_from_thread}
    out = {name: [] for name in measures}
    for name, measure in measures.items():
        measure(min(n, 10_000))  # warm up
        for _ in range(reps):
            out[name].append(measure(n))
    out["version"] = sys.version.split()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
