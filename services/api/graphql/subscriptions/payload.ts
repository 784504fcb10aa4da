/**
 * Helpers for indexer payloads. In one process they carry bigints; from the cluster's primary
 * they arrive as decimal strings (http/cluster/messages.ts, toWire), so both are accepted.
 */

export const decimalText = (value: bigint | string): string => (typeof value === "bigint" ? value.toString() : value);

export const sameAddress = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
