/** The script a thread worker runs (bundled with the core so that it loads without an import map). */
import { serveInWebWorker } from "@weft/core/adapter";

serveInWebWorker("thread", { adapterName: "@weft/browser" });
