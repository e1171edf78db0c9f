"""Python's multiprocessing.Pool on the same tiny task, for the ratio weft is measured against."""
import json
import multiprocessing as mp
import sys
import time


def echo(value):
    return value


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    # "map": only Pool.map with its default chunks (src/limits.mjs; 1M apply_async calls take a minute).
    only_map = len(sys.argv) > 3 and sys.argv[3] == "map"
    out = {"apply_async": [], "map_default": [], "map_chunksize_1": []}
    with mp.Pool(2) as pool:
        pool.apply(echo, (1,))
        if only_map:
            pool.map(echo, range(n))
            for _ in range(reps):
                start = time.perf_counter()
                pool.map(echo, range(n))
                out["map_default"].append(n / (time.perf_counter() - start))
            print(json.dumps(out))
            return
        for _ in range(reps):
            start = time.perf_counter()
            results = [pool.apply_async(echo, (i,)) for i in range(n)]
            for r in results:
                r.get()
            out["apply_async"].append(n / (time.perf_counter() - start))
            start = time.perf_counter()
            pool.map(echo, range(n))
            out["map_default"].append(n / (time.perf_counter() - start))
            start = time.perf_counter()
            pool.map(echo, range(n // 10), chunksize=1)
            out["map_chunksize_1"].append((n // 10) / (time.perf_counter() - start))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
