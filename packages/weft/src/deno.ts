/** `weftjs` under the "deno" export condition: the deno adapter, installed on import. */
export * from "@weft/deno";
