/** `weftjs` under the "browser" export condition: the browser adapter, installed on import. */
export * from "@weft/browser";
