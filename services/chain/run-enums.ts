/**
 * RunMarket's enums as names, indexed by their value on chain (IRunMarket.RunStatus and FailPhase):
 * the one list the runner, the market service and the indexer read them from.
 */

/** RunStatus. */
export const RUN_STATUSES = ["none", "requested", "claimed", "completed", "failed", "expired", "cancelled"] as const;
export type RunStatusName = (typeof RUN_STATUSES)[number];

/**
 * FailPhase. FetchPod, ResolvePayload, Provision and UploadOutput are the runner's failures (the
 * requester gets the stage back in full); Execute, Timeout and OutputTooLarge are the pod's (the
 * runner is paid its fee).
 */
export const FAIL_PHASES = ["FetchPod", "ResolvePayload", "Provision", "Execute", "Timeout", "OutputTooLarge", "UploadOutput"] as const;
export type FailPhase = (typeof FAIL_PHASES)[number];

export function failPhaseIndex(phase: FailPhase): number {
  return FAIL_PHASES.indexOf(phase);
}

/** A phase as a GraphQL enum value: FetchPod → FETCH_POD. */
export function failPhaseConstant(phase: FailPhase): string {
  return phase.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}
