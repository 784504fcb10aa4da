import { closeSync, openSync, writeSync } from "node:fs";
import type { CapturedLog } from "../executor";

/**
 * A stream of the pod (stdout or stderr) written to a file, up to a limit. A pod may print
 * gigabytes, so nothing is buffered without bound: the first `limit` bytes go to the file as they
 * arrive, the last `tailBytes` are kept in memory, and what falls between is only counted. At the
 * end the file gets a marker line with the count of dropped bytes, then the tail: the beginning
 * (how the run started) and the end (how it failed) both survive.
 */
export class BoundedLog {
  private readonly fd: number;
  private total = 0;
  private head = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly limit: number,
    private readonly tailBytes: number,
  ) {
    this.fd = openSync(file, "wx", 0o644);
  }

  write(chunk: Buffer): void {
    if (this.closed) return;
    this.total += chunk.length;
    let rest = chunk;
    if (this.head < this.limit) {
      const take = Math.min(this.limit - this.head, rest.length);
      writeSync(this.fd, rest, 0, take);
      this.head += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailBytes === 0) return;
    // Copy: the stream may reuse its buffer.
    this.tail.push(Buffer.from(rest.subarray(Math.max(0, rest.length - this.tailBytes))));
    this.tailSize += Math.min(rest.length, this.tailBytes);
    while (this.tailSize - this.tail[0].length >= this.tailBytes) this.tailSize -= this.tail.shift()!.length;
  }

  finish(): CapturedLog {
    if (!this.closed) {
      this.closed = true;
      let tail = Buffer.concat(this.tail);
      if (tail.length > this.tailBytes) tail = tail.subarray(tail.length - this.tailBytes);
      const dropped = this.total - this.head - tail.length;
      if (dropped > 0 || tail.length > 0) {
        writeSync(this.fd, `\n[lure: log truncated at ${this.limit} bytes: ${dropped} bytes dropped; the last ${tail.length} bytes follow]\n`);
        writeSync(this.fd, tail);
      }
      closeSync(this.fd);
      this.tail = [Buffer.from(tail)];
      this.tailSize = tail.length;
    }
    const kept = this.head + this.tailSize;
    return { file: this.file, totalBytes: this.total, keptBytes: kept, droppedBytes: this.total - kept, truncated: this.total > kept || this.total > this.limit };
  }
}
