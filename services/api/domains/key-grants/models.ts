import type { ChangeRefModel } from "../../graphql/models";

/** A row of `key_grants` as loaders.ts selects it (the parent of KeyGrant's resolvers). */
export interface KeyGrantRow extends ChangeRefModel {
  podId: string;
  version: number;
  runner: string;
  sealedKeyRef: string;
  active: boolean;
  grantedBy: string;
  grantedAt: number;
  block: number;
  revokedBy: string | null;
  revokedAt: number | null;
}

/** The SDL types of the key grants domain and their models (see domains/types.ts). */
export interface KeyGrantsModels {
  KeyGrant: KeyGrantRow;
}
