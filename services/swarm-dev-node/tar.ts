import path from "node:path";
import { Readable } from "node:stream";
import { extract } from "tar-stream";

export interface TarFile {
  path: string;
  data: Buffer;
}

export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TarError";
  }
}

/**
 * The regular files of a tar archive, with their paths cleaned as Bee does (`filepath.Clean`).
 * Directories, links and other entry types are skipped, as on Bee; paths that climb out of the
 * collection ("../x") are refused, naming the entry.
 */
export async function readTar(archive: Buffer): Promise<TarFile[]> {
  const files: TarFile[] = [];
  const extractor = extract();
  const done = new Promise<void>((resolve, reject) => {
    extractor.on("entry", (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on("data", (part: unknown) => {
        parts.push(part as Buffer);
      });
      stream.on("error", reject);
      stream.on("end", () => {
        if (header.type === "file" || header.type === "contiguous-file") {
          const cleaned = path.posix.normalize(header.name).replace(/^(\.\/)+/, "").replace(/^\/+/, "");
          if (cleaned === "." || cleaned === "" || cleaned.endsWith("/")) {
            next();
            return;
          }
          if (cleaned === ".." || cleaned.startsWith("../")) {
            reject(new TarError(`tar entry "${header.name}" escapes the collection`));
            return;
          }
          files.push({ path: cleaned, data: Buffer.concat(parts) });
        }
        next();
      });
    });
    extractor.on("finish", resolve);
    extractor.on("error", (error: Error) => reject(new TarError(`invalid tar stream: ${error.message}`)));
  });
  Readable.from([archive]).pipe(extractor);
  await done;
  return files;
}
