import path from "node:path";

/**
 * Content types of files in a collection upload. Bee derives them from the file extension;
 * bee-js's offline directory hashing (`hashDirectory`, `streamDirectory`) uses its own table for
 * the same purpose, and the dev node must give the same references, so it reads that table.
 */
type MimeTable = Record<string, string>;

let table: MimeTable | undefined;

function mimeTable(): MimeTable {
  if (!table) {
    // bee-js does not export the table; its CommonJS build ships it as utils/mime.js.
    const beeMain = require.resolve("@ethersphere/bee-js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file bee-js does not export, at a path known only at run time, read synchronously
    table = (require(path.join(path.dirname(beeMain), "utils", "mime.js")) as { mimes: MimeTable }).mimes;
  }
  return table;
}

/** Extension as bee-js parses it: after the last dot of the last segment, none for ".hidden". */
function extensionOf(filePath: string): string {
  const name = filePath.split(/[\\/]/).pop() ?? "";
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1);
}

export function contentTypeForPath(filePath: string): string {
  const mime = mimeTable()[extensionOf(filePath).toLowerCase()] ?? "application/octet-stream";
  return mime === "text/html" || mime === "text/css" ? `${mime}; charset=utf-8` : mime;
}
