/**
 * Swarm references and pod visibility as the contracts store them. A reference is 64 hex
 * characters as Bee prints it ("ab…"), and a bytes32 on chain ("0xab…").
 */

/** "0xAB…" or "ab…" → "ab…": the reference as Bee prints it. */
export function refHex(ref: string): string {
  return ref.replace(/^0x/, "").toLowerCase();
}

/** "ab…" (64 hex, 0x optional) → "0xab…" (bytes32). */
export function refToBytes32(ref: string): string {
  return `0x${refHex(ref)}`;
}

/** PodRegistry's Visibility enum: the value on chain is the index. */
export const VISIBILITIES = ["private", "public"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const VISIBILITY_PRIVATE = 0;
export const VISIBILITY_PUBLIC = 1;

/** The name of a visibility value read from the chain. */
export function visibilityName(value: bigint | number): Visibility {
  return VISIBILITIES[Number(value)] ?? "private";
}
