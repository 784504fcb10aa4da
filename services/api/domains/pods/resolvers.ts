import { equals, pageOf, totalCount } from "../../graphql/pages";
import type { ApiResolvers } from "../types";
import { readLineage } from "./lineage";
import { podsList, podVersionsList } from "./lists";
import { referencedPod } from "./loader";
import { podById, podPage } from "./pod-reads";
import { searchPods } from "./search";

/** Pods, their versions and forks, search and lineage; and the pods of an account. */
export const podsResolvers: ApiResolvers = {
  Query: {
    pod: (_root, args, ctx, info) => podById(ctx, info, args.id),
    pods: (_root, args, ctx, info) => podPage(ctx, info, podsList, args),
    podVersions: (_root, args, ctx) => pageOf(ctx, podVersionsList, args),
    search: (_root, args, ctx, info) => searchPods(ctx, info, args),
    lineage: (_root, args, ctx) => readLineage(ctx, args.podId, args.maxDepth, args.maxDescendants),
  },
  Pod: {
    parent: (pod, _args, ctx) => (pod.forkedFrom === null ? null : ctx.pods.load(pod.forkedFrom)),
    lastChange: (pod) => ({ blockNumber: pod.blockNumber, blockHash: pod.blockHash, txHash: pod.txHash, logIndex: pod.logIndex }),
    versions: (pod, args, ctx) => pageOf(ctx, podVersionsList, args, [equals("pod_id", pod.id, "numeric")]),
    forks: (pod, args, ctx, info) => podPage(ctx, info, podsList, args, [equals("parent_pod_id", pod.id, "numeric")]),
  },
  PodVersion: {
    pod: (version, _args, ctx) => referencedPod(ctx, version.podId),
    lastChange: (version) => ({ blockNumber: version.blockNumber, blockHash: version.blockHash, txHash: version.txHash, logIndex: version.logIndex }),
  },
  Account: {
    pods: (account, args, ctx, info) => podPage(ctx, info, podsList, args, [equals("owner", account.address, "text")]),
  },
  PodList: { totalCount },
  PodVersionList: { totalCount },
  SearchHitList: { totalCount },
};
