/**
 * The script a process worker runs (bundled with the core so that it loads without an import
 * map). The kind tells the core to copy everything and refuse shared memory both ways.
 */
import { serveInWebWorker } from "@weft/core/adapter";

serveInWebWorker("process", { adapterName: "@weft/browser" });
