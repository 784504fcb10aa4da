/** Swarm content through the API's read-only proxy (`/swarm/...`, see docs/web.md). */
import { appConfig } from "./app-config";

export interface SwarmFile {
  path: string;
  contentType: string | null;
}

async function proxyUrl(path: string): Promise<string> {
  return `${(await appConfig()).swarmProxyUrl}${path}`;
}

function bare(ref: string): string {
  return ref.replace(/^0x/, "");
}

async function failure(response: Response, what: string): Promise<Error> {
  const body = (await response.json().catch(() => undefined)) as { error?: string } | undefined;
  return new Error(body?.error ?? `${what}: HTTP ${response.status}`);
}

/** The files of a collection (a pod version, a run's output and logs, a message body). */
export async function listFiles(ref: string, signal?: AbortSignal): Promise<SwarmFile[]> {
  const response = await fetch(await proxyUrl(`/list/${bare(ref)}`), { signal });
  if (!response.ok) throw await failure(response, `files of ${ref}`);
  return ((await response.json()) as { files: SwarmFile[] }).files;
}

/** A link to one file of a collection, through the proxy. */
export async function fileUrl(ref: string, path: string): Promise<string> {
  return proxyUrl(`/bzz/${bare(ref)}/${path.split("/").map(encodeURIComponent).join("/")}`);
}

/** One file of a collection as text. */
export async function fetchText(ref: string, path: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(await fileUrl(ref, path), { signal });
  if (!response.ok) throw await failure(response, `${path} of ${ref}`);
  return response.text();
}

/** Whether a file is worth showing inline as text. */
export function isTextFile(file: SwarmFile): boolean {
  return /^text\/|json/.test(file.contentType ?? "") || /\.(txt|log|json|md|csv|sh|py)$/i.test(file.path);
}
