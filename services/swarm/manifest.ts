import path from "node:path";
import { MantarayNode } from "@ethersphere/bee-js";
import { toHex } from "./bmt";

/**
 * Mantaray manifests as Bee builds them for POST /bzz, using bee-js's own MantarayNode for the
 * node format so both sides share one serialisation.
 *
 * Bee stores metadata as Go maps, which JSON-encode with sorted keys; MantarayNode keeps
 * insertion order, so every metadata object is built here with sorted keys.
 */

const ROOT_PATH = "/";
const INDEX_DOCUMENT_KEY = "website-index-document";
const ERROR_DOCUMENT_KEY = "website-error-document";
const NULL_ADDRESS = new Uint8Array(32);

function sortedMetadata(entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface ManifestFile {
  path: string;
  reference: Uint8Array;
  contentType: string;
  filename: string;
}

/** The manifest of a single-file upload: `/` names the file as index document. */
export function singleFileManifest(file: ManifestFile): MantarayNode {
  const root = new MantarayNode();
  root.addFork(ROOT_PATH, NULL_ADDRESS, sortedMetadata({ [INDEX_DOCUMENT_KEY]: file.filename }));
  root.addFork(file.path, file.reference, sortedMetadata({ "Content-Type": file.contentType, Filename: file.filename }));
  return root;
}

/** The manifest of a collection (tar) upload, with optional index and error documents. */
export function collectionManifest(files: ManifestFile[], documents: { indexDocument?: string; errorDocument?: string }): MantarayNode {
  const root = new MantarayNode();
  for (const file of files) {
    root.addFork(file.path, file.reference, sortedMetadata({ "Content-Type": file.contentType, Filename: file.filename }));
  }
  if (documents.indexDocument || documents.errorDocument) {
    const metadata: Record<string, string> = {};
    if (documents.indexDocument) metadata[INDEX_DOCUMENT_KEY] = documents.indexDocument;
    if (documents.errorDocument) metadata[ERROR_DOCUMENT_KEY] = documents.errorDocument;
    root.addFork(ROOT_PATH, NULL_ADDRESS, sortedMetadata(metadata));
  }
  return root;
}

/**
 * Serialises every node bottom-up, storing each through `storeBytes` (which returns the node's
 * Swarm reference), and returns the root's reference as 64 hex.
 */
export async function storeManifest(node: MantarayNode, storeBytes: (bytes: Uint8Array) => Uint8Array): Promise<string> {
  for (const fork of node.forks.values()) {
    await storeManifest(fork.node, storeBytes);
  }
  node.selfAddress = storeBytes(await node.marshal());
  return toHex(node.selfAddress);
}

export interface ManifestEntry {
  target: string;
  metadata: Record<string, string>;
}

export class NotAManifestError extends Error {
  constructor(readonly reference: string) {
    super(`reference ${reference} is not a Mantaray manifest`);
    this.name = "NotAManifestError";
  }
}

/** Reads manifest nodes lazily from storage, following only the forks a lookup needs. */
export class ManifestReader {
  constructor(private readonly readBytes: (reference: string) => Uint8Array) {}

  private load(reference: string): MantarayNode {
    const data = this.readBytes(reference);
    try {
      return MantarayNode.unmarshalFromData(data, Buffer.from(reference, "hex"));
    } catch {
      throw new NotAManifestError(reference);
    }
  }

  /** Checks that `reference` is a manifest (throws NotAManifestError otherwise). */
  assertManifest(reference: string): void {
    this.load(reference);
  }

  /** The entry at `entryPath`, or null if the manifest has no value there. */
  lookup(rootReference: string, entryPath: string): ManifestEntry | null {
    let rest: Uint8Array = Buffer.from(entryPath, "utf8");
    let node = this.load(rootReference);
    let metadata: Record<string, string> = {};
    while (rest.length > 0) {
      const fork = node.forks.get(rest[0]);
      if (!fork || rest.length < fork.prefix.length || !Buffer.from(fork.prefix).equals(Buffer.from(rest.subarray(0, fork.prefix.length)))) return null;
      rest = rest.subarray(fork.prefix.length);
      metadata = fork.node.metadata ?? {};
      if (!fork.node.selfAddress) return null;
      node = this.load(toHex(fork.node.selfAddress));
    }
    return { target: toHex(node.targetAddress), metadata };
  }

  /** Metadata of the `/` entry (index and error documents), empty if there is none. */
  rootMetadata(rootReference: string): Record<string, string> {
    return this.lookup(rootReference, ROOT_PATH)?.metadata ?? {};
  }

  /**
   * The file a GET /bzz/{ref}/{path} serves, following Bee: the path itself, else the index
   * document (for "" or a directory path), else the error document; null if none exists.
   */
  resolve(rootReference: string, requestPath: string): ManifestEntry | null {
    const root = this.rootMetadata(rootReference);
    const indexDocument = root[INDEX_DOCUMENT_KEY];
    const errorDocument = root[ERROR_DOCUMENT_KEY];
    const isFile = (entry: ManifestEntry | null): entry is ManifestEntry => entry !== null && entry.target !== toHex(NULL_ADDRESS);
    if (requestPath === "") {
      if (indexDocument) {
        const entry = this.lookup(rootReference, indexDocument);
        if (isFile(entry)) return entry;
      }
    } else {
      const entry = this.lookup(rootReference, requestPath);
      if (isFile(entry)) return entry;
      if (indexDocument && !requestPath.endsWith(indexDocument)) {
        const indexed = this.lookup(rootReference, path.posix.join(requestPath, indexDocument));
        if (isFile(indexed)) return indexed;
      }
    }
    if (errorDocument && requestPath !== errorDocument) {
      const entry = this.lookup(rootReference, errorDocument);
      if (isFile(entry)) return entry;
    }
    return null;
  }
}
