import type { RawLog } from "./get-logs";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** The envelope of a JSON-RPC answer, without the logs (its `result`, when a list, is left empty). */
export interface Envelope {
  result?: unknown;
  error?: { code?: number; message?: string };
}

/**
 * Splits a JSON-RPC answer to eth_getLogs, as its body arrives chunk by chunk, into its logs, and
 * hands each log over as soon as its last byte is in.
 *
 * Why: `response.json()` keeps an answer of 10k logs (~10 MB) several times over at once (the chunks,
 * their concatenation, the decoded text, then every parsed log until the last one), ~130 MB of peak
 * RSS in a backfill; here one log (~1 KB) is parsed at a time and dies young once decoded.
 *
 * Only the structure is scanned: strings are skipped with indexOf to their closing quote (escapes
 * honoured), and each log object is parsed by JSON.parse, so what it accepts is JSON. Whatever lies
 * outside `result`'s list (the envelope, or an error) is kept as text and parsed at the end.
 */
export class LogStreamSplitter {
  private depth = 0;
  private inString = false;
  /** The previous chunk ended inside a string, on a backslash that escapes the next byte. */
  private escaped = false;
  /** Inside the list that is the envelope's `result`. */
  private inResult = false;
  private sawResult = false;
  /** The start of the log being read, in the current chunk (-1: it began in an earlier chunk, see `partial`). */
  private logStart: number | undefined;
  private partial: Buffer[] = [];
  private envelope = "";

  constructor(private readonly onLog: (log: RawLog) => void) {}

  push(input: Uint8Array): void {
    const chunk = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    let index = 0;
    let envelopeFrom = 0;
    if (this.inString) {
      index = this.skipString(chunk, 0);
      if (this.inString) return this.keep(chunk, 0, chunk.length);
    }
    for (; index < chunk.length; index++) {
      const byte = chunk[index];
      if (this.inResult && this.depth === 2) {
        // Between two logs: separators, the next log, or the end of the list.
        if (byte === OPEN_BRACE) {
          this.depth = 3;
          this.logStart = index;
        } else if (byte === CLOSE_BRACKET) {
          this.depth = 1;
          this.inResult = false;
          envelopeFrom = index;
        } else if (byte !== COMMA && !isSpace(byte)) {
          throw new Error(`eth_getLogs answered a list holding something other than log objects (byte ${JSON.stringify(String.fromCharCode(byte))})`);
        }
        continue;
      }
      if (byte === QUOTE) {
        index = this.skipString(chunk, index + 1) - 1;
        if (this.inString) break;
        continue;
      }
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (byte === OPEN_BRACKET && this.depth === 1 && !this.inResult && /"result"\s*:\s*$/.test(this.envelope + chunk.toString("utf8", envelopeFrom, index))) {
          this.envelope += chunk.toString("utf8", envelopeFrom, index + 1);
          this.inResult = true;
          this.sawResult = true;
        }
        this.depth++;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.depth--;
        if (this.inResult && this.depth === 2) this.finishLog(chunk, index + 1);
      }
    }
    this.keep(chunk, envelopeFrom, chunk.length);
  }

  /** The envelope, once the whole body has been pushed. */
  end(): Envelope {
    if (this.inString || this.depth !== 0 || this.inResult) throw new Error("eth_getLogs answer ended in the middle of its JSON");
    const envelope = JSON.parse(this.envelope) as Envelope;
    if (this.sawResult) envelope.result = [];
    return envelope;
  }

  /** True when `result` was a list (its logs went to onLog). */
  get resultWasList(): boolean {
    return this.sawResult;
  }

  /** Keeps what a chunk leaves unfinished: the start of a log, or envelope text. */
  private keep(chunk: Buffer, envelopeFrom: number, end: number): void {
    if (this.inResult && this.depth >= 3) {
      if (this.logStart !== undefined && this.logStart >= 0) this.partial = [chunk.subarray(this.logStart, end)];
      else this.partial.push(chunk.subarray(0, end));
      // The bytes are referenced, not copied: a chunk is never reused by its producer.
      this.logStart = -1;
    } else if (!this.inResult) {
      this.envelope += chunk.toString("utf8", envelopeFrom, end);
    }
  }

  private finishLog(chunk: Buffer, end: number): void {
    let text: string;
    if (this.logStart !== undefined && this.logStart >= 0) text = chunk.toString("utf8", this.logStart, end);
    else text = Buffer.concat([...this.partial, chunk.subarray(0, end)]).toString("utf8");
    this.partial = [];
    this.logStart = undefined;
    this.onLog(JSON.parse(text) as RawLog);
  }

  /**
   * From `from`, inside a string: returns the index after its closing quote, or chunk.length with
   * `inString` set when the string goes on in the next chunk.
   */
  private skipString(chunk: Buffer, from: number): number {
    let index = from;
    if (this.escaped) {
      this.escaped = false;
      index++;
    }
    for (;;) {
      const quote = chunk.indexOf(QUOTE, index);
      if (quote < 0) {
        this.inString = true;
        this.escaped = trailingBackslashes(chunk, chunk.length, index) % 2 === 1;
        return chunk.length;
      }
      if (trailingBackslashes(chunk, quote, index) % 2 === 0) {
        this.inString = false;
        return quote + 1;
      }
      index = quote + 1;
    }
  }
}

/** The number of backslashes right before `end`, not looking before `floor`. */
function trailingBackslashes(chunk: Buffer, end: number, floor: number): number {
  let count = 0;
  while (end - count - 1 >= floor && chunk[end - count - 1] === BACKSLASH) count++;
  return count;
}
