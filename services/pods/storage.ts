/**
 * What the pod life cycle needs from Swarm. `services/swarm`'s client satisfies it (through bee-js,
 * against a real Bee node or the dev node); tests of pure logic may pass a small fake.
 * References are 64 lowercase hex characters without 0x.
 */
export interface PodStorage {
  uploadBytes(data: Uint8Array): Promise<string>;
  downloadBytes(ref: string): Promise<Uint8Array>;
  uploadCollection(entries: { path: string; data: Uint8Array }[], options?: { indexDocument?: string }): Promise<string>;
  /** A file of a manifest: `path` inside a collection, or the single file (index document) when omitted. */
  downloadFile(ref: string, path?: string): Promise<{ data: Uint8Array; contentType?: string; name?: string }>;
  downloadCollection(ref: string): Promise<{ path: string; data: Uint8Array }[]>;
}

/** The index document of every pod collection: `GET /bzz/<ref>/` answers with the recipe. */
export const POD_INDEX_DOCUMENT = "recipe.json";
