/**
 * The phases a run can fail in, in the order of IRunMarket.FailPhase (the index is what goes on
 * chain). The first four before Execute, and UploadOutput, are the runner's (the requester gets the
 * stage back in full); Execute, Timeout and OutputTooLarge are the pod's (the runner is paid its fee).
 */
export const FAIL_PHASES = ["FetchPod", "ResolvePayload", "Provision", "Execute", "Timeout", "OutputTooLarge", "UploadOutput"] as const;
export type FailPhase = (typeof FAIL_PHASES)[number];

export function failPhaseIndex(phase: FailPhase): number {
  return FAIL_PHASES.indexOf(phase);
}
