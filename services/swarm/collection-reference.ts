import { buildChunkTree } from "./bmt";
import { contentTypeForPath } from "./content-type";
import { collectionManifest, storeManifest, type ManifestFile } from "./manifest";

/**
 * The reference a Bee node returns for a tar collection upload of `entries`, computed offline:
 * the same BMT and Mantaray code the dev node stores with, without storing. Lets a caller learn
 * that content is already on chain before spending postage on it.
 */
export async function collectionReference(
  entries: { path: string; data: Uint8Array }[],
  documents: { indexDocument?: string; errorDocument?: string } = {},
): Promise<string> {
  const address = (bytes: Uint8Array) => buildChunkTree(bytes, () => undefined).address;
  const files: ManifestFile[] = entries.map((entry) => ({
    path: entry.path,
    reference: address(entry.data),
    contentType: contentTypeForPath(entry.path),
    filename: entry.path.split("/").pop() ?? entry.path,
  }));
  return storeManifest(collectionManifest(files, documents), address);
}
