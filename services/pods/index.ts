/**
 * Compute pods: recipes, the life cycle (persist, fork, share), private pods and external
 * payloads. See docs/pods.md. The runner uses `loadRecipe`, `expandRoot`, `resolveExternalPayloads`,
 * and, for private pods, `openSealedPod` + `unpackArchive`.
 */
export * from "./recipe";
export { archiveKind, safeEntryPath, unpackArchive, UnsafeArchiveError, type UnpackLimits, type UnpackSummary } from "./archive";
export { PodError } from "./errors";
export { forkPod, type ForkOptions, type ForkResult, type ForkSource } from "./fork";
export { ignoreMatcher, parseIgnoreRules, type IgnoreRule } from "./ignore";
export { defaultIgnoreRules, PodFolderError, readPodFolder, type PodFile } from "./pack";
export { resolveExternalPayloads, type ResolvedPayload, type ResolveOptions } from "./payloads";
export { persistPod, type ListingTerms, type PersistOptions, type PersistResult } from "./persist";
export { contentHash, isSealedPod, keyBytes, loadKey, openSealedPod, PrivatePodError, saveKey, sealPod, type PodKeyRecord } from "./private";
export { scaffoldPod } from "./scaffold";
export { sharePod, type ShareOptions, type ShareResult } from "./share";
export { POD_INDEX_DOCUMENT, type PodStorage } from "./storage";
export { deterministicTar } from "./tar";
