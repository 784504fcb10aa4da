import type { IncomingMessage } from "node:http";
import { HttpError } from "./http-util";

/**
 * What the dev node does with each Bee request header, so that nothing it does not implement is
 * silently ignored. Headers it honours or can treat as no-ops pass; a feature it lacks is refused
 * with 501 naming the header; a malformed value is Bee's 400 `invalid header params`. Any other
 * `swarm-*` header is refused too: an unknown header is most likely a feature this node lacks.
 */

type HeaderRule =
  /** Read by the route that serves the request (or meaningless to it, as for Bee). */
  | { kind: "honoured" }
  /** Accepted for any value: what it asks for is what the dev node does anyway. */
  | { kind: "no-op" }
  /** A boolean: `false` is what the node does, `true` asks for a feature it lacks. */
  | { kind: "boolean-feature"; feature: string }
  /** Refused whatever its value. */
  | { kind: "refused"; feature: string };

const ENCRYPTION = "encryption (Bee answers 128-hex references for encrypted uploads)";
const ACT = "access control (ACT)";

export const HEADER_RULES: Readonly<Record<string, HeaderRule>> = {
  "swarm-postage-batch-id": { kind: "honoured" },
  "swarm-collection": { kind: "honoured" },
  "swarm-index-document": { kind: "honoured" },
  "swarm-error-document": { kind: "honoured" },
  // The dev node never garbage-collects: every chunk stays as if pinned.
  "swarm-pin": { kind: "no-op" },
  // There is no network to push to: an upload is stored (fsynced) before the answer, in both modes.
  "swarm-deferred-upload": { kind: "no-op" },
  // Download tuning: every chunk is local, nothing is retrieved, nothing is cached.
  "swarm-redundancy-strategy": { kind: "no-op" },
  "swarm-redundancy-fallback-mode": { kind: "no-op" },
  "swarm-chunk-retrieval-timeout": { kind: "no-op" },
  "swarm-cache": { kind: "no-op" },
  "swarm-encrypt": { kind: "boolean-feature", feature: ENCRYPTION },
  "swarm-act": { kind: "boolean-feature", feature: ACT },
  "swarm-act-publisher": { kind: "refused", feature: ACT },
  "swarm-act-history-address": { kind: "refused", feature: ACT },
  "swarm-act-timestamp": { kind: "refused", feature: ACT },
  "swarm-tag": { kind: "refused", feature: "tags (there is no /tags endpoint)" },
  "swarm-postage-stamp": { kind: "refused", feature: "pre-signed postage stamps (send swarm-postage-batch-id)" },
};

function invalidHeader(field: string, error: string): HttpError {
  return new HttpError(400, "invalid header params", [{ field, error }]);
}

function notImplemented(header: string, value: string, feature: string): HttpError {
  return new HttpError(501, `Not Implemented: header ${header}: ${JSON.stringify(value)}: the Lure dev Swarm node does not implement ${feature}`);
}

/** Bee's strconv.ParseBool. */
function parseBool(field: string, value: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw invalidHeader(field, `want bool: got ${JSON.stringify(value)}`);
}

/** Refuses the request if it carries a Bee header whose meaning the dev node does not implement. */
export function refuseUnsupportedHeaders(req: IncomingMessage): void {
  for (const [name, raw] of Object.entries(req.headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(", ") : raw;
    if (name === "swarm-redundancy-level") {
      if (!/^[0-4]$/.test(value)) throw invalidHeader(name, `want redundancy level 0..4: got ${JSON.stringify(value)}`);
      if (value !== "0") throw notImplemented(name, value, "erasure coding (redundancy levels above 0 change the reference)");
      continue;
    }
    const rule = HEADER_RULES[name];
    if (!rule) {
      if (name.startsWith("swarm-")) throw notImplemented(name, value, "this header");
      continue;
    }
    if (rule.kind === "boolean-feature" && parseBool(name, value)) throw notImplemented(name, value, rule.feature);
    if (rule.kind === "refused") throw notImplemented(name, value, rule.feature);
  }
}

/** 501 for a request no route serves: the method and path are named, unlike a 404 for missing content. */
export function endpointNotImplemented(method: string, path: string): HttpError {
  return new HttpError(501, `Not Implemented: the Lure dev Swarm node does not serve ${method} ${path} (see services/swarm/README.md for what it serves)`);
}
