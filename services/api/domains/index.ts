import { groupsDomain } from "./groups";
import { indexingDomain } from "./indexing";
import { keyGrantsDomain } from "./key-grants";
import { marketDomain } from "./market";
import { podsDomain } from "./pods";
import { runsDomain } from "./runs";
import type { ApiDomain } from "./types";

/**
 * Every domain of the API: the schema builder merges their resolvers, the start-up checks cover
 * their statement counts and `where` inputs. A new domain (runs, groups, messages) is a folder
 * like ./pods, one entry here and its models in ./types.ts.
 */
export const API_DOMAINS: readonly ApiDomain[] = [podsDomain, marketDomain, runsDomain, keyGrantsDomain, groupsDomain, indexingDomain];
