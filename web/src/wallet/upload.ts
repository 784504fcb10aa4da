import type { AppConfig } from "../app-config";
import { ActionError } from "./errors";

/**
 * A message body onto Swarm from the browser, the way services/market/messages.ts puts it there: a
 * one-file collection (a tar with the file, uploaded to Bee's `POST /bzz` with `Swarm-Collection:
 * true`), the file its index document, stamped with the node's first usable postage batch (as
 * services/swarm/client.ts picks it). The API uploads it (`POST /swarm/messages`, `uploadUrl` in the
 * configuration) unless it is configured to take no uploads; then the upload goes to the Bee node the
 * configuration names (`beeUrl`), which must let the app's origin call it (Bee's
 * `cors-allowed-origins`). The app holds no key here either: the node stamps with its own batch.
 */

const BLOCK = 512;

function writeString(target: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > length) throw new ActionError("invalid", `tar field ${JSON.stringify(text)} is longer than ${length} bytes`);
  target.set(bytes, offset);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, "0")}\0`;
}

/** A ustar archive of one regular file: what Bee's collection upload reads. */
function tarOfOneFile(name: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const padded = Math.ceil(data.length / BLOCK) * BLOCK;
  const archive = new Uint8Array(BLOCK + padded + 2 * BLOCK);
  const header = archive.subarray(0, BLOCK);
  writeString(header, 0, 100, name);
  writeString(header, 100, 8, octal(0o644, 8));
  writeString(header, 108, 8, octal(0, 8));
  writeString(header, 116, 8, octal(0, 8));
  writeString(header, 124, 12, octal(data.length, 12));
  writeString(header, 136, 12, octal(0, 12));
  writeString(header, 148, 8, "        ");
  writeString(header, 156, 1, "0");
  writeString(header, 257, 6, "ustar\0");
  writeString(header, 263, 2, "00");
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  writeString(header, 148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
  archive.set(data, BLOCK);
  return archive;
}

async function failure(response: Response, what: string): Promise<ActionError> {
  const text = await response.text().catch(() => "");
  return new ActionError("other", `${what}: the Bee node answered ${response.status} ${text.slice(0, 200)}`);
}

/** The node's first usable postage batch. */
async function postageBatch(beeUrl: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${beeUrl}/stamps`);
  } catch (error) {
    throw new ActionError("other", `the Bee node at ${beeUrl} cannot be reached from this page (${(error as Error).message}); it must allow this origin (Bee's cors-allowed-origins)`);
  }
  if (!response.ok) throw await failure(response, "listing postage batches");
  const body = (await response.json()) as { stamps?: { batchID?: string; usable?: boolean }[] };
  const usable = (body.stamps ?? []).find((batch) => batch.usable && typeof batch.batchID === "string");
  if (!usable?.batchID) throw new ActionError("other", `the Bee node at ${beeUrl} has no usable postage batch: buy one (npm run swarm -- stamps buy) and try again`);
  return usable.batchID;
}

/** Through the API's upload route (`uploadUrl`): same origin, so no CORS and no postage batch to find. */
async function uploadThroughApi(uploadUrl: string, name: string, data: Uint8Array): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${uploadUrl}?name=${encodeURIComponent(name)}`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: new Blob([data.slice()]) });
  } catch (error) {
    throw new ActionError("other", `uploading the message body to ${uploadUrl} failed (${(error as Error).message})`);
  }
  const answer = (await response.json().catch(() => ({}))) as { reference?: unknown; error?: unknown };
  if (!response.ok) throw new ActionError("other", `uploading the message body: ${typeof answer.error === "string" ? answer.error : `the API answered ${response.status}`}`);
  if (typeof answer.reference !== "string" || !/^[0-9a-f]{64}$/i.test(answer.reference)) throw new ActionError("other", `the API answered the upload with ${JSON.stringify(answer.reference)}, not a reference`);
  return answer.reference.toLowerCase();
}

/**
 * Uploads a one-file collection (the file its index document); returns its reference (64 hex).
 * Through the API when it takes uploads (`uploadUrl`), else straight to the Bee node.
 */
export async function uploadOneFileCollection(config: Pick<AppConfig, "beeUrl" | "uploadUrl">, name: string, data: Uint8Array): Promise<string> {
  if (config.uploadUrl) return uploadThroughApi(config.uploadUrl, name, data);
  const beeUrl = config.beeUrl.replace(/\/+$/, "");
  const batch = await postageBatch(beeUrl);
  let response: Response;
  try {
    response = await fetch(`${beeUrl}/bzz`, {
      method: "POST",
      headers: {
        "content-type": "application/x-tar",
        "swarm-postage-batch-id": batch,
        "swarm-collection": "true",
        "swarm-index-document": name,
      },
      body: new Blob([tarOfOneFile(name, data) ]),
    });
  } catch (error) {
    throw new ActionError("other", `uploading to the Bee node at ${beeUrl} failed (${(error as Error).message})`);
  }
  if (!response.ok) throw await failure(response, "uploading the message body");
  const { reference } = (await response.json()) as { reference?: unknown };
  if (typeof reference !== "string" || !/^[0-9a-f]{64}$/i.test(reference)) throw new ActionError("other", `the Bee node answered the upload with ${JSON.stringify(reference)}, not a reference`);
  return reference.toLowerCase();
}
