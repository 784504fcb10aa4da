import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FlakyProxy {
  url: string;
  /** How many requests got each treatment. */
  counts: { forwarded: number; dropped: number; delayed: number; failed: number; truncated: number; rangeRefused: number };
  close(): Promise<void>;
}

/**
 * A JSON-RPC proxy on 127.0.0.1 that misbehaves on `faultRate` of the requests: it drops the
 * connection, answers HTTP 500, cuts the answer off half-way (after its status and part of its body,
 * so a client reading it as it arrives has already seen some of it), or delays the answer (past a
 * client timeout sometimes). It also
 * refuses eth_getLogs over more than `maxLogRange` blocks the way hosted RPCs do, so the indexer's
 * adaptive range is exercised. `random` makes runs reproducible.
 */
export async function startFlakyProxy(target: string, random: () => number, options: { faultRate: number; maxLogRange?: number }): Promise<FlakyProxy> {
  const counts = { forwarded: 0, dropped: 0, delayed: 0, failed: 0, truncated: 0, rangeRefused: 0 };
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const refused = refuseWideLogQuery(body, options.maxLogRange);
      if (refused) {
        counts.rangeRefused++;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(refused));
        return;
      }
      const roll = random();
      if (roll < options.faultRate / 4) {
        counts.dropped++;
        req.socket.destroy();
        return;
      }
      if (roll < (options.faultRate * 2) / 4) {
        counts.failed++;
        res.writeHead(500, { "content-type": "text/plain" }).end("upstream exploded");
        return;
      }
      const truncate = roll < (options.faultRate * 3) / 4;
      const delay = !truncate && roll < options.faultRate ? 100 + random() * 1_500 : 0;
      if (truncate) counts.truncated++;
      else if (delay > 0) counts.delayed++;
      else counts.forwarded++;
      setTimeout(() => {
        const forward = httpRequest(
          { host: upstream.hostname, port: upstream.port, path: "/", method: "POST", headers: { "content-type": "application/json", "content-length": body.length } },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, { "content-type": "application/json" });
            if (!truncate) return void answer.pipe(res);
            const chunks: Buffer[] = [];
            answer.on("data", (chunk: Buffer) => chunks.push(chunk));
            answer.on("end", () => {
              const whole = Buffer.concat(chunks);
              res.write(whole.subarray(0, Math.floor(whole.length / 2)), () => res.socket?.destroy());
            });
          },
        );
        forward.on("error", () => res.destroy());
        forward.end(body);
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface RpcRequest {
  id: unknown;
  method: string;
  params?: { fromBlock?: string; toBlock?: string }[];
}

/** An error answer for a batch holding an eth_getLogs wider than `maxRange`, like hosted RPCs send. */
function refuseWideLogQuery(body: Buffer, maxRange: number | undefined): unknown {
  if (maxRange === undefined) return undefined;
  let parsed: RpcRequest | RpcRequest[];
  try {
    parsed = JSON.parse(body.toString()) as RpcRequest | RpcRequest[];
  } catch {
    return undefined;
  }
  const requests = Array.isArray(parsed) ? parsed : [parsed];
  const tooWide = (request: RpcRequest) => {
    if (request.method !== "eth_getLogs") return false;
    const filter = request.params?.[0];
    if (!filter?.fromBlock || !filter.toBlock || filter.toBlock === "latest") return false;
    return Number(BigInt(filter.toBlock) - BigInt(filter.fromBlock)) + 1 > maxRange;
  };
  if (!requests.some(tooWide)) return undefined;
  // Only the wide queries fail; a real node answers the rest of a batch normally, but refusing the
  // whole batch is allowed too and simpler: every request gets the same error.
  const answers = requests.map((request) => ({ jsonrpc: "2.0", id: request.id, error: { code: -32005, message: `query exceeds max block range ${maxRange}` } }));
  return Array.isArray(parsed) ? answers : answers[0];
}
