/** The script a thread worker runs (bundled with the core so that it loads without an import map). */
import { serveInWorker } from "./worker-scope.js";

serveInWorker("thread");
