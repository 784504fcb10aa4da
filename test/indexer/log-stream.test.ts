import { expect } from "chai";
import fc from "fast-check";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LogStreamSplitter } from "../../services/indexer/log-stream";
import { streamLogs, type RawLog } from "../../services/indexer/get-logs";

/** The error `promise` rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: Error) => error,
  );
  if (!outcome) expect.fail("expected a rejection");
  return outcome;
}

/** Feeds `body` to a splitter in the given pieces; returns the logs and the envelope. */
function split(body: Buffer, cuts: number[]): { logs: unknown[]; envelope: ReturnType<LogStreamSplitter["end"]>; list: boolean } {
  const logs: unknown[] = [];
  const splitter = new LogStreamSplitter((log) => logs.push(log));
  let from = 0;
  for (const cut of [...cuts.filter((at) => at > 0 && at < body.length)].sort((a, b) => a - b).concat(body.length)) {
    if (cut > from) splitter.push(body.subarray(from, cut));
    from = Math.max(from, cut);
  }
  return { logs, envelope: splitter.end(), list: splitter.resultWasList };
}

/** The `result` of a JSON-RPC answer as JSON.parse reads it: what the streaming reader must agree with. */
function resultOf(body: Buffer): unknown {
  const answer: unknown = JSON.parse(body.toString());
  if (typeof answer !== "object" || answer === null || !("result" in answer)) throw new Error(`no result in ${body.toString().slice(0, 200)}`);
  return answer.result;
}

const log = (index: number, extra: Record<string, unknown> = {}) => ({
  address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  topics: [`0x${"ab".repeat(32)}`, `0x${index.toString(16).padStart(64, "0")}`],
  data: `0x${"00".repeat(31)}${(index % 256).toString(16).padStart(2, "0")}`,
  blockNumber: `0x${(100 + index).toString(16)}`,
  blockHash: `0x${"cd".repeat(32)}`,
  transactionHash: `0x${"ef".repeat(32)}`,
  logIndex: `0x${index.toString(16)}`,
  removed: false,
  ...extra,
});

/** Strings that stress the scanner: quotes, backslashes (also at the end), braces, brackets, unicode. */
const awkwardText = fc.oneof(
  fc.string({ unit: fc.constantFrom("\\", '"', "{", "}", "[", "]", ",", ":", " ", "a", "é", "🚀", "\n", "\u0000") }),
  fc.string(),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, awkwardText, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), tie("list"), tie("object")),
  list: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(awkwardText, tie("value"), { maxKeys: 4 }),
})).value;

describe("indexer: eth_getLogs answers split into logs as they arrive", () => {
  it("hands over exactly JSON.parse's logs, for any logs, envelope order, spacing and chunking", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ extra: fc.dictionary(awkwardText, jsonValue, { maxKeys: 3 }) }), { maxLength: 8 }),
        fc.boolean(),
        fc.constantFrom(0, 2),
        fc.array(fc.nat(), { maxLength: 12 }),
        (entries, resultFirst, indent, cuts) => {
          const result = entries.map((entry, index) => log(index, entry.extra));
          const envelope = resultFirst ? { result, jsonrpc: "2.0", id: 1 } : { jsonrpc: "2.0", id: "x[\"result\":[", result };
          const body = Buffer.from(JSON.stringify(envelope, null, indent));
          const parts = split(
            body,
            cuts.map((cut) => cut % (body.length + 1)),
          );
          expect(parts.logs).to.deep.equal(resultOf(body));
          expect(parts.list).to.equal(true);
          expect(parts.envelope.result).to.deep.equal([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is right whatever the chunk boundary, down to one byte at a time", () => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, result: [log(1, { note: 'a \\"quoted\\" \\\\ {[' }), log(2), log(3, { "\\": "\\\\" })] }));
    const expected = resultOf(body);
    for (let cut = 0; cut <= body.length; cut++) expect(split(body, [cut]).logs, `cut at ${cut}`).to.deep.equal(expected);
    expect(split(body, Array.from({ length: body.length }, (_, index) => index)).logs).to.deep.equal(expected);
  });

  it("passes an error answer through the envelope, with no logs", () => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32005, message: "query returned more than 10000 results" } }));
    const parts = split(body, [10, 40]);
    expect(parts.logs).to.deep.equal([]);
    expect(parts.list).to.equal(false);
    expect(parts.envelope.error).to.deep.equal({ code: -32005, message: "query returned more than 10000 results" });
  });

  it("tells a result that is not a list", () => {
    for (const result of [null, "0x1", { logs: [] }]) {
      const parts = split(Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, result })), [5]);
      expect(parts.list, JSON.stringify(result)).to.equal(false);
      expect(parts.envelope.result).to.deep.equal(result);
    }
  });

  it("refuses a body cut short, inside a log, a string or the envelope", () => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, result: [log(1), log(2)] }));
    for (const end of [body.length - 1, body.indexOf("blockHash") + 3, 200, 20]) {
      const splitter = new LogStreamSplitter(() => undefined);
      splitter.push(body.subarray(0, end));
      expect(() => splitter.end(), `cut at ${end}`).to.throw(/ended in the middle/);
    }
  });

  it("refuses a list of something other than log objects, naming what it found", () => {
    const splitter = new LogStreamSplitter(() => undefined);
    expect(() => splitter.push(Buffer.from('{"jsonrpc":"2.0","id":1,"result":[{"a":1},7]}'))).to.throw(/other than log objects \(byte "7"\)/);
    const strings = new LogStreamSplitter(() => undefined);
    expect(() => strings.push(Buffer.from('{"id":1,"result":["0xab"]}'))).to.throw(/other than log objects/);
  });

  it("refuses a malformed log with JSON.parse's error", () => {
    const splitter = new LogStreamSplitter(() => undefined);
    expect(() => splitter.push(Buffer.from('{"id":1,"result":[{"a":01}]}'))).to.throw(SyntaxError);
  });

  describe("streamLogs over HTTP on 127.0.0.1", () => {
    let server: Server;
    let url = "";
    let behaviour: (body: Buffer, res: import("node:http").ServerResponse) => void = () => undefined;
    const answer = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, result: Array.from({ length: 300 }, (_, index) => log(index)) }));

    before(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => behaviour(Buffer.concat(chunks), res));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("asks for the range and both addresses, and decodes an answer sent in small delayed pieces", async () => {
      let asked: unknown;
      behaviour = (body, res) => {
        asked = JSON.parse(body.toString());
        res.writeHead(200, { "content-type": "application/json" });
        let at = 0;
        const next = () => {
          if (at >= answer.length) return void res.end();
          res.write(answer.subarray(at, (at += 777)));
          setTimeout(next, 1);
        };
        next();
      };
      const logs: RawLog[] = [];
      await streamLogs(url, 16, 31, [{ address: "0xaa" }, { address: "0xbb" }], 5_000, (entry) => logs.push(entry));
      expect(asked).to.deep.include({ method: "eth_getLogs", params: [{ fromBlock: "0x10", toBlock: "0x1f", address: ["0xaa", "0xbb"] }] });
      expect(logs).to.deep.equal(resultOf(answer));
    });

    it("fails when the connection drops mid-answer, after handing over the logs that were whole", async () => {
      behaviour = (_body, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": String(answer.length) });
        res.write(answer.subarray(0, Math.floor(answer.length / 2)), () => setTimeout(() => res.socket?.destroy(), 20));
      };
      const logs: RawLog[] = [];
      await rejection(streamLogs(url, 1, 2, [{ address: "0xaa" }], 5_000, (entry) => logs.push(entry)));
      expect(logs.length).to.be.greaterThan(0).and.lessThan(300);
    });

    it("turns a JSON-RPC error into an error carrying its message and code", async () => {
      behaviour = (_body, res) => void res.writeHead(200).end(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32005, message: "block range too large" } }));
      expect((await rejection(streamLogs(url, 1, 2, [{ address: "0xaa" }], 5_000, () => undefined))).message).to.equal("eth_getLogs: block range too large (code -32005)");
    });

    it("refuses an HTTP error status and a result that is not a list", async () => {
      behaviour = (_body, res) => void res.writeHead(502).end("bad gateway");
      expect((await rejection(streamLogs(url, 1, 2, [{ address: "0xaa" }], 5_000, () => undefined))).message).to.match(/HTTP 502/);
      behaviour = (_body, res) => void res.writeHead(200).end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: null }));
      expect((await rejection(streamLogs(url, 1, 2, [{ address: "0xaa" }], 5_000, () => undefined))).message).to.equal("eth_getLogs(1..2) answered object, not an array");
    });

    it("gives up on an answer that stalls past the timeout", async () => {
      behaviour = (_body, res) => {
        res.writeHead(200);
        res.write(answer.subarray(0, 100));
      };
      await rejection(streamLogs(url, 1, 2, [{ address: "0xaa" }], 300, () => undefined));
      server.closeAllConnections();
    });
  });
});
