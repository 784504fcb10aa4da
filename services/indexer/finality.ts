/**
 * How many blocks below the head may still be replaced by a reorganisation, per chain.
 * - 31337 (Hardhat dev chain): 64. Nothing reorganises by itself; tests do it on purpose with
 *   evm_snapshot/evm_revert at small depths, and 64 keeps the undo journal tiny.
 * - 80002 (Amoy) and 137 (Polygon PoS): 128 and 256. Since Heimdall v2, Polygon's milestones make
 *   blocks final within seconds, but historical reorgs reached ~30-100 blocks; 256 (≈ 9 minutes)
 *   covers them with a wide margin on mainnet, 128 on the testnet.
 * - anything else: 128.
 * INDEXER_FINALITY_DEPTH overrides the default.
 */
const DEFAULT_FINALITY_DEPTH: Readonly<Record<number, number>> = { 31337: 64, 80002: 128, 137: 256 };

export function finalityDepthFor(chainId: number, override?: number): number {
  if (override !== undefined) {
    if (!Number.isInteger(override) || override < 1) throw new Error(`finality depth must be a positive integer, got ${override}`);
    return override;
  }
  return DEFAULT_FINALITY_DEPTH[chainId] ?? 128;
}
