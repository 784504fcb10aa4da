import type { ApiDomain } from "../types";
import { POD_FILTERS, podVersionsList } from "./lists";
import { podsResolvers } from "./resolvers";
import { podsStatements } from "./statements";
import { podsSubscriptions } from "./subscriptions";

/** Pods: the registry's pods, versions, lineage and search. */
export const podsDomain: ApiDomain = {
  name: "pods",
  resolvers: [podsResolvers, podsSubscriptions],
  statements: podsStatements,
  whereInputs: {
    PodWhere: POD_FILTERS,
    PodVersionWhere: podVersionsList.filters,
  },
};
