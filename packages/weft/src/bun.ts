/** `weftjs` under the "bun" export condition: the bun adapter, installed on import. */
export * from "@weft/bun";
