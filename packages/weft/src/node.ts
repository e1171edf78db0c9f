/** `weftjs` under the "node" export condition: the node adapter, installed on import. */
export * from "@weft/node";
