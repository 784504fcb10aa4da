import type { ApiContext } from "../../graphql/context";
import type { MetaModel } from "./models";

/** `_meta`: the block the answer was read at, the chain, and whether indexing has failed. */
export async function readMeta(ctx: ApiContext): Promise<MetaModel> {
  const tx = await ctx.snapshot.get();
  const status = ctx.status();
  // The block comes from the snapshot itself, so it is the block every other field was read at.
  const [cursor] = await tx.query<{ number: number; hash: string; timestamp: number; chainId: number }>(
    `SELECT block_number::float8 AS number, block_hash AS hash, block_timestamp::float8 AS timestamp, chain_id AS "chainId" FROM cursor WHERE id = 1`,
  );
  return {
    block: cursor ? { number: cursor.number, hash: cursor.hash, timestamp: cursor.timestamp } : null,
    chainId: cursor?.chainId ?? status.chainId,
    hasIndexingErrors: status.hasIndexingErrors,
  };
}
