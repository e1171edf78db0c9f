/** The `concurrent` package of Python, of which weft provides `futures`: `concurrent.futures.ThreadPoolExecutor`… */
export * as futures from "./index.js";
