// The factory file only: the typechain index pulls in every contract of the repository. The
// contract's factory, not its interface's: its ABI lists the ERC-1155 and role events it inherits.
import { PodLicenses__factory } from "../../../typechain-types/factories/contracts/PodLicenses__factory";
import type { ChainEvent } from "../chain-event";
import { stamp } from "../changed-by";
import { eventsOf } from "./abi-types";
import { defineContract, type EventEffects, type RowKeys } from "./module";
import { LICENSES, PODS, emptyLicense, licenseKey } from "./pod-tables";

/**
 * PodLicenses: licences as ERC-1155 tokens whose id is the pod id (migration 060). Every
 * TransferSingle / TransferBatch moves balances in `licenses` (a mint comes from the zero address, a
 * burn goes to it); LicenseTransferabilitySet sets `pods.licenses_transferable`. The transfers
 * themselves stay in `events` (their rows there are the licences' history). The market's purchase
 * (pod-market.ts) records the price on the buyer's holding.
 */

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

const ABI = eventsOf(PodLicenses__factory.abi);

/** The ids and amounts of a TransferBatch, as the decoder hands arrays over ("1,2,3"). */
const listOf = (value: string): string[] => (value === "" ? [] : value.split(","));

function touchHoldings(keys: RowKeys, from: string, to: string, ids: readonly string[]): void {
  for (const id of ids) {
    if (from !== ZERO_ADDRESS) keys.add(LICENSES, licenseKey(id, from));
    if (to !== ZERO_ADDRESS) keys.add(LICENSES, licenseKey(id, to));
  }
}

/** Adds `delta` (may be negative) to the balance of `account` for `podId`. */
function move(effects: EventEffects<object>, podId: string, account: string, delta: bigint, event: ChainEvent): void {
  if (account === ZERO_ADDRESS || delta === 0n) return;
  effects.change(LICENSES, licenseKey(podId, account), event, (license) => {
    const row = license ?? emptyLicense(podId, account);
    row.balance = (BigInt(row.balance as string) + delta).toString();
    return stamp(row, event);
  });
}

function transfer(effects: EventEffects<object>, from: string, to: string, podId: string, value: string, event: ChainEvent): void {
  const amount = BigInt(value);
  move(effects, podId, from, -amount, event);
  move(effects, podId, to, amount, event);
}

export const podLicenses = defineContract<typeof ABI>({
  name: "PodLicenses",
  abi: ABI,
  tables: { mutable: [PODS, LICENSES], appendOnly: [] },
  announces: [],
  handlers: {
    TransferSingle: {
      touches: (args, keys) => touchHoldings(keys, args.from, args.to, [args.id]),
      apply: (args, event, effects) => transfer(effects, args.from, args.to, args.id, args.value, event),
    },
    TransferBatch: {
      touches: (args, keys) => touchHoldings(keys, args.from, args.to, listOf(args.ids)),
      apply(args, event, effects) {
        const ids = listOf(args.ids);
        const values = listOf(args.values);
        ids.forEach((id, index) => transfer(effects, args.from, args.to, id, values[index] ?? "0", event));
      },
    },
    LicenseTransferabilitySet: {
      touches: (args, keys) => keys.add(PODS, args.podId),
      apply(args, event, effects) {
        effects.changeExisting(PODS, args.podId, event, (pod) => {
          pod.licenses_transferable = args.transferable;
          return stamp(pod, event);
        });
      },
    },
    // ApprovalForAll, URI, roles and the admin's transfer schedule: kept in `events` only.
  },
});
