import * as tar from "tar-stream";
import type { PodFile } from "./pack";

/**
 * A tar of pod files that depends on nothing but their paths, bytes and execute bits: no times,
 * owners or umask. The same folder always gives the same bytes, so its hash identifies its content.
 */
export async function deterministicTar(files: readonly PodFile[]): Promise<Uint8Array> {
  const pack = tar.pack();
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const collected: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) collected.push(chunk as Buffer);
  })();
  for (const file of sorted) {
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        {
          name: file.path,
          size: file.data.length,
          mode: file.executable ? 0o755 : 0o644,
          mtime: new Date(0),
          uid: 0,
          gid: 0,
          uname: "",
          gname: "",
          type: "file",
        },
        Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength),
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }
  pack.finalize();
  await done;
  const bytes = Buffer.concat(collected);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
