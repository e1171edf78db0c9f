"""Python's multiprocessing.Manager round trips, for the ratios weft's Manager is measured against
(apps/bench/src/manager.mjs runs it in the same sitting). Workers come from a warm Pool, so process
start-up is not timed."""
import json
import multiprocessing as mp
import sys
import time


def set_many(d, n):
    for i in range(n):
        d["k"] = i
    return n


def increment_locked(d, lock, n):
    for _ in range(n):
        with lock:
            d["n"] = d["n"] + 1
    return n


def rate(n, run):
    start = time.perf_counter()
    run()
    return n / (time.perf_counter() - start)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    out = {"set_process": [], "set_main": [], "locked_2_processes": []}
    with mp.Manager() as manager, mp.Pool(2) as pool:
        d = manager.dict()
        lock = manager.Lock()
        pool.apply(set_many, (d, 100))  # warm up both sides
        for _ in range(reps):
            out["set_process"].append(rate(n, lambda: pool.apply(set_many, (d, n))))
            out["set_main"].append(rate(n, lambda: set_many(d, n)))
            d["n"] = 0

            def locked():
                pool.starmap(increment_locked, [(d, lock, n // 2)] * 2)
                assert d["n"] == n // 2 * 2

            out["locked_2_processes"].append(rate(n // 2 * 2, locked))
    out["version"] = sys.version.split()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
