import { groupRegistry } from "./group-registry";
import { messageBus } from "./message-bus";
import type { AnnouncementsOf, RegisteredContract } from "./module";
import { podLicenses } from "./pod-licenses";
import { podKeyGrants } from "./pod-key-grants";
import { podMarket } from "./pod-market";
import { podRegistry } from "./pod-registry";
import { runMarket } from "./run-market";

/**
 * The contracts the indexer follows. Registering a module here is the only edit the engine needs;
 * its tables come from a migration in services/database/migrations/ (services/indexer/README.md,
 * "Adding a contract module"). The order is the order rows are loaded and written, and announcements
 * emitted, after each commit.
 */
const MODULES = [podRegistry, podLicenses, podMarket, podKeyGrants, runMarket, groupRegistry, messageBus] as const;

export const CONTRACT_MODULES: readonly RegisteredContract[] = MODULES;

type UnionToIntersection<Union> = (Union extends unknown ? (value: Union) => void : never) extends (value: infer Intersection) => void ? Intersection : never;

/** Every registered module's announcements, by name, with their payloads (merged into IndexerEventMap). */
export type ContractAnnouncements = UnionToIntersection<AnnouncementsOf<(typeof MODULES)[number]>>;
