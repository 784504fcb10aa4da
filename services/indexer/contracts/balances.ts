import type { ChainEvent } from "../chain-event";
import { CHANGED_BY_COLUMNS, stamp } from "../changed-by";
import type { Row, TableSpec } from "../tables";
import type { AnnouncementMap, EventEffects, RowKeys } from "./module";

/**
 * Pull-payment balances per account and token (migration 001; the zero address is the native coin).
 * Shared, not owned by one contract: the market credits sales and debits withdrawals today, and run
 * payments and message fees will credit the same ledger, so the table and its credit rule live here
 * for every module that pays someone.
 */
export const BALANCES: TableSpec = {
  name: "balances",
  key: ["account", "token"],
  columns: [["account", "text"], ["token", "text"], ["withdrawable", "numeric"], ["earned", "numeric"], ["withdrawn", "numeric"], ...CHANGED_BY_COLUMNS],
};

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The cache key of the balance of `account` in `token`. */
export const balanceKey = (account: string, token: string): string => `${account}|${token}`;

/** Names the balance of `account` in `token` as touched (EventHandler.touches). */
export function touchBalance(keys: RowKeys, account: string, token: string): void {
  keys.add(BALANCES, balanceKey(account, token));
}

/** A balance that has never moved. */
export function emptyBalance(account: string, token: string): Row {
  return { account, token, withdrawable: "0", earned: "0", withdrawn: "0" };
}

/** Credits `amount` (decimal) to the withdrawable and earned sums of `account`; nothing for 0 or the zero address. */
export function credit(effects: EventEffects<AnnouncementMap>, account: string, token: string, amount: string, event: ChainEvent): void {
  if (amount === "0" || account === ZERO_ADDRESS) return;
  const value = BigInt(amount);
  effects.change(BALANCES, balanceKey(account, token), event, (balance) => {
    const row = balance ?? emptyBalance(account, token);
    row.withdrawable = (BigInt(row.withdrawable as string) + value).toString();
    row.earned = (BigInt(row.earned as string) + value).toString();
    return stamp(row, event);
  });
}
