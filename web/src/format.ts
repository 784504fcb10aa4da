/** Display helpers: addresses, amounts with their token's symbol and decimals, times, durations. */
import type { AppConfig } from "./app-config";

export const NATIVE_TOKEN = "0x0000000000000000000000000000000000000000";

/** `0x1234…abcd`; the full value goes in a title. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** `0x12345678…9abc` for a reference or hash. */
export function shortHash(hash: string): string {
  return hash.length > 18 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : hash;
}

export interface TokenInfo {
  symbol: string;
  decimals: number;
}

/** The token's symbol and decimals as the app knows them (app-config's `tokens`); an unknown ERC-20 shows its address and raw units. */
export function tokenInfo(config: AppConfig, token: string): TokenInfo {
  const known = config.tokens?.[token.toLowerCase()];
  if (known) return known;
  if (token.toLowerCase() === NATIVE_TOKEN) return { symbol: config.nativeSymbol, decimals: 18 };
  return { symbol: shortAddress(token), decimals: 0 };
}

/** `1234567` units with `decimals` → "1.234567" (thousands separated, trailing zeros dropped, at most `maxFraction` digits). */
function formatUnits(value: string | bigint, decimals: number, maxFraction = 6): string {
  const units = typeof value === "bigint" ? value : BigInt(value);
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const fraction = decimals > 0 ? (abs % base).toString().padStart(decimals, "0").slice(0, maxFraction).replace(/0+$/, "") : "";
  // A non-zero amount is never shown as 0.
  if (whole === 0n && fraction === "" && abs !== 0n) return `${negative ? "-" : ""}<0.${"0".repeat(maxFraction - 1)}1`;
  const wholeText = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${wholeText}${fraction ? `.${fraction}` : ""}`;
}

/** "0.1 ETH" */
export function formatAmount(config: AppConfig, token: string, value: string | bigint): string {
  const info = tokenInfo(config, token);
  return `${formatUnits(value, info.decimals)} ${info.symbol}`;
}

/** "1.5" in a token with 18 decimals → 1500000000000000000n; a clear error naming the value otherwise. */
export function parseUnits(text: string, decimals: number): bigint {
  const trimmed = text.trim();
  const match = /^(\d+)(?:\.(\d*))?$/.exec(trimmed);
  if (!match) throw new Error(`"${text}" is not an amount (digits, optionally with a decimal point)`);
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) throw new Error(`"${text}" has more than ${decimals} decimals`);
  return BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
}

/** Unix seconds → "2024-05-01 12:34:56" (local time). */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const date = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Seconds → "1 h 2 min", "42 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** 0.75 → "75%"; null → "—". */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "—" : `${Math.round(rate * 100)}%`;
}

/** Basis points → "10%". */
export function formatBps(bps: number): string {
  return `${(bps / 100).toLocaleString("en", { maximumFractionDigits: 2 })}%`;
}
