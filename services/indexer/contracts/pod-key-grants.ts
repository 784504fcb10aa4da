// The factory file only: the typechain index pulls in every contract of the repository.
import { PodKeyGrants__factory } from "../../../typechain-types/factories/contracts/PodKeyGrants__factory";
import { changedBy, CHANGED_BY_COLUMNS, stamp } from "../changed-by";
import type { TableSpec } from "../tables";
import { eventsOf } from "./abi-types";
import { defineContract, type RowKeys } from "./module";

/**
 * PodKeyGrants: which runners may run which versions of private pods (migration 090). One row per
 * (pod, version, runner) ever granted; a revocation keeps it, inactive, with the sealed key's
 * reference that was granted. The contract has no other events.
 */
const KEY_GRANTS: TableSpec = {
  name: "key_grants",
  key: ["pod_id", "version", "runner"],
  columns: [
    ["pod_id", "numeric"],
    ["version", "numeric"],
    ["runner", "text"],
    ["sealed_key_ref", "text"],
    ["active", "boolean"],
    ["granted_by", "text"],
    ["granted_at", "numeric"],
    ["granted_block", "numeric"],
    ["revoked_by", "text"],
    ["revoked_at", "numeric"],
    ...CHANGED_BY_COLUMNS,
  ],
};

const ABI = eventsOf(PodKeyGrants__factory.abi);

const grantKey = (args: { readonly podId: string; readonly version: string; readonly runner: string }) => `${args.podId}|${args.version}|${args.runner}`;
const touchGrant = (args: { readonly podId: string; readonly version: string; readonly runner: string }, keys: RowKeys) => keys.add(KEY_GRANTS, grantKey(args));

export const podKeyGrants = defineContract({
  name: "PodKeyGrants",
  abi: ABI,
  tables: { mutable: [KEY_GRANTS], appendOnly: [] },
  announces: [],
  handlers: {
    KeyGranted: {
      touches: touchGrant,
      apply(args, event, effects) {
        effects.change(KEY_GRANTS, grantKey(args), event, () => ({
          pod_id: args.podId,
          version: args.version,
          runner: args.runner,
          sealed_key_ref: args.sealedKeyRef,
          active: true,
          granted_by: args.grantor,
          granted_at: String(event.timestamp),
          granted_block: String(event.blockNumber),
          revoked_by: null,
          revoked_at: null,
          ...changedBy(event),
        }));
      },
    },
    KeyRevoked: {
      touches: touchGrant,
      apply(args, event, effects) {
        effects.changeExisting(KEY_GRANTS, grantKey(args), event, (row) => {
          row.active = false;
          row.revoked_by = args.revoker;
          row.revoked_at = String(event.timestamp);
          return stamp(row, event);
        });
      },
    },
  },
});
