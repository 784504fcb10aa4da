import { referencedPod } from "../pods/loader";
import type { ApiResolvers } from "../types";
import { keyGrantLoaders } from "./loaders";

/** Key grants of private pods: `Pod.keyGrants`, `Runner.grantedPods` and the KeyGrant type. */
export const keyGrantsResolvers: ApiResolvers = {
  Pod: {
    keyGrants: async (pod, args, ctx) => {
      const grants = await keyGrantLoaders(ctx).byPod.load(pod.id);
      return args.active === undefined || args.active === null ? grants : grants.filter((grant) => grant.active === args.active);
    },
  },
  Runner: {
    grantedPods: (runner, _args, ctx) => keyGrantLoaders(ctx).activeByRunner.load(runner.address),
  },
  KeyGrant: {
    pod: (grant, _args, ctx) => referencedPod(ctx, grant.podId),
    lastChange: (grant) => ({ blockNumber: grant.blockNumber, blockHash: grant.blockHash, txHash: grant.txHash, logIndex: grant.logIndex }),
  },
};
