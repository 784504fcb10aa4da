import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Bee, BeeResponseError, Duration, Size } from "@ethersphere/bee-js";
import { chunkAddress, swarmReference, toHex } from "../../services/swarm/bmt";
import { startDevSwarmNode, type DevSwarmNode } from "../../services/swarm-dev-node/server";
import { tempDir } from "../support/swarm";

/**
 * Postage batches as Bee counts them, through bee-js over HTTP: per-bucket capacity, utilization,
 * top-up and dilute, and their persistence.
 */

const AMOUNT = 10n ** 9n;

/** A 4096-byte chunk payload: zeros with `n` (u32 LE) in front. */
function leaf(n: number): Uint8Array {
  const payload = new Uint8Array(4096);
  new DataView(payload.buffer).setUint32(0, n, true);
  return payload;
}

function leafAddress(n: number): string {
  return toHex(chunkAddress(4096, leaf(n)));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

// Found by hashing leaf(0 … 40 000): these five share bucket 0x264d (9805), the first 16 bits of
// their addresses. At depth 17 a bucket holds 2 chunks, at depth 18 four.
const SAME_BUCKET = [285, 9028, 19312, 37057, 37689];
const BUCKET = 0x264d;
const [A, B, C, D, E] = SAME_BUCKET.map(leaf);
const ELSEWHERE = leaf(6);

async function expectBeeStatus(promise: Promise<unknown>, status: number): Promise<string> {
  const error = await promise.then(
    () => expect.fail(`expected HTTP ${status}`),
    (caught: unknown) => caught,
  );
  expect(error).to.be.instanceOf(BeeResponseError);
  expect((error as BeeResponseError).status).to.equal(status);
  const body = (error as BeeResponseError).responseBody;
  return (JSON.parse(typeof body === "string" ? body : JSON.stringify(body)) as { message: string }).message;
}

describe("swarm: postage batches as Bee counts them", function () {
  let dataDir: string;
  let node: DevSwarmNode;
  let bee: Bee;

  async function restart(): Promise<void> {
    await node.close();
    node = await startDevSwarmNode({ dataDir, port: 0 });
    bee = new Bee(node.url);
  }

  function buy(depth: number, immutable = true): Promise<string> {
    return bee.createPostageBatch(AMOUNT.toString(), depth, { immutableFlag: immutable }).then((id) => id.toHex());
  }

  before(async () => {
    dataDir = tempDir("stamps");
    node = await startDevSwarmNode({ dataDir, port: 0 });
    bee = new Bee(node.url);
  });
  after(async () => {
    await node?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("the test chunks share one bucket, and the roots of their uploads lie elsewhere", () => {
    for (const n of SAME_BUCKET) expect(parseInt(leafAddress(n).slice(0, 4), 16), `leaf(${n})`).to.equal(BUCKET);
    expect(parseInt(leafAddress(6).slice(0, 4), 16)).to.not.equal(BUCKET);
    for (const data of [concat(A, B), concat(A, B, C), concat(C, D)]) expect(parseInt(swarmReference(data).slice(0, 4), 16)).to.not.equal(BUCKET);
  });

  describe("an immutable batch of depth 17 (2 chunks per bucket)", () => {
    let batch: string;
    before(async () => {
      batch = await buy(17);
    });

    it("refuses, whole, an upload that puts 3 chunks in one bucket though the batch has room for 131 069 more", async () => {
      const message = await expectBeeStatus(bee.uploadData(batch, concat(A, B, C)), 402);
      expect(message).to.match(/^batch is overissued/).and.include(batch).and.include(`bucket ${BUCKET}`);
      // nothing of it was stored or stamped
      for (const n of SAME_BUCKET.slice(0, 3)) await expectBeeStatus(bee.downloadChunk(leafAddress(n)), 404);
      await expectBeeStatus(bee.downloadData(swarmReference(concat(A, B, C))), 404);
      expect((await bee.getPostageBatch(batch)).utilization).to.equal(0);
      expect(fs.readdirSync(path.join(dataDir, "staging"))).to.deep.equal([]);
    });

    it("fills the bucket with two chunks: utilization is the fullest bucket's count, and bee-js's usage follows", async () => {
      const { reference } = await bee.uploadData(batch, concat(A, B));
      expect(reference.toHex()).to.equal(swarmReference(concat(A, B)));
      const view = await bee.getPostageBatch(batch);
      expect(view.utilization).to.equal(2);
      expect(view.bucketDepth).to.equal(16);
      expect(view.usage).to.equal(1); // 2 / 2^(17 - 16): a full bucket is a full batch for Bee
      expect(view.remainingSize.toBytes()).to.equal(0);
    });

    it("re-uploading stamped content is free; a third chunk in the bucket is refused, one in another bucket is not", async () => {
      await bee.uploadData(batch, concat(A, B));
      const message = await expectBeeStatus(bee.uploadData(batch, C), 402);
      expect(message).to.include("holds 2 chunks").and.include("needs 1 more");
      await expectBeeStatus(bee.uploadChunk(batch, new Uint8Array([...Buffer.from([0, 16, 0, 0, 0, 0, 0, 0]), ...D])), 402);
      await bee.uploadData(batch, ELSEWHERE);
      expect((await bee.getPostageBatch(batch)).utilization).to.equal(2);
    });

    it("GET /stamps/{id}/buckets (bee-js getPostageBatchBuckets) shows the counts per bucket", async () => {
      const buckets = await bee.getPostageBatchBuckets(batch);
      expect(buckets).to.include({ depth: 17, bucketDepth: 16, bucketUpperBound: 2 });
      expect(buckets.buckets).to.have.length(65536);
      expect(buckets.buckets[BUCKET]).to.deep.equal({ bucketID: BUCKET, collisions: 2 });
      // A, B, the root of A‖B, and ELSEWHERE
      expect(buckets.buckets.reduce((sum, bucket) => sum + bucket.collisions, 0)).to.equal(4);
    });

    it("counts survive a restart (rebuilt from the packs)", async () => {
      await restart();
      expect((await bee.getPostageBatch(batch)).utilization).to.equal(2);
      await expectBeeStatus(bee.uploadData(batch, C), 402);
    });

    it("two concurrent uploads cannot both take the bucket's last slots", async () => {
      const fresh = await buy(17);
      const results = await Promise.allSettled([bee.uploadData(fresh, concat(A, B)), bee.uploadData(fresh, concat(C, D))]);
      expect(results.filter((result) => result.status === "fulfilled")).to.have.length(1);
      const refused = results.find((result): result is PromiseRejectedResult => result.status === "rejected")!;
      expect((refused.reason as BeeResponseError).status).to.equal(402);
      expect((await bee.getPostageBatch(fresh)).utilization).to.equal(2);
    });

    it("diluting to depth 18 (bee-js diluteBatch) doubles the bucket: the refused chunks now fit, a fifth does not", async () => {
      const before = await bee.getPostageBatch(batch);
      const answer = await bee.diluteBatch(batch, 18);
      expect(answer.toHex()).to.equal(batch);
      const after = await bee.getPostageBatch(batch);
      expect(after.depth).to.equal(18);
      expect(after.utilization).to.equal(2);
      expect(after.usage).to.equal(0.5);
      expect(BigInt(after.amount)).to.equal(BigInt(before.amount) / 2n);
      expect(after.duration.toSeconds()).to.be.closeTo(before.duration.toSeconds() / 2, 5);
      await bee.uploadData(batch, concat(C, D));
      expect((await bee.getPostageBatch(batch)).utilization).to.equal(4);
      await expectBeeStatus(bee.uploadData(batch, E), 402);
    });
  });

  describe("a mutable batch", () => {
    it("never refuses: a full bucket wraps around as on Bee, utilization stays at the bound", async () => {
      const batch = await buy(17, false);
      await bee.uploadData(batch, concat(A, B, C));
      const view = await bee.getPostageBatch(batch);
      expect(view.immutableFlag).to.equal(false);
      expect(view.utilization).to.equal(2);
      expect((await bee.getPostageBatchBuckets(batch)).buckets[BUCKET].collisions).to.equal(1);
    });
  });

  describe("top-up and dilute", () => {
    it("topUpBatch adds to the balance per chunk: 202 with the batch id, a longer TTL", async () => {
      const batch = await buy(17);
      const before = await bee.getPostageBatch(batch);
      const answer = await bee.topUpBatch(batch, "480000000");
      expect(answer.toHex()).to.equal(batch);
      const after = await bee.getPostageBatch(batch);
      expect(BigInt(after.amount)).to.equal(BigInt(before.amount) + 480_000_000n);
      expect(after.duration.toSeconds() - before.duration.toSeconds()).to.equal(100_000); // 480e6 / 24 000 per block × 5 s
      const raw = await fetch(`${node.url}/stamps/topup/${batch}/1`, { method: "PATCH" });
      expect(raw.status).to.equal(202);
      expect(await raw.json())
        .to.have.property("txHash")
        .that.matches(/^0x[0-9a-f]{64}$/);
    });

    it("bee-js's extendStorageDuration and extendStorageSize (top-up, then dilute) work unchanged", async () => {
      const batch = await buy(17);
      const before = await bee.getPostageBatch(batch);
      await bee.extendStorageDuration(batch, Duration.fromDays(1));
      const longer = await bee.getPostageBatch(batch);
      expect(longer.duration.toSeconds() - before.duration.toSeconds()).to.equal(86_400);
      await bee.extendStorageSize(batch, Size.fromMegabytes(5));
      const bigger = await bee.getPostageBatch(batch);
      expect(bigger.depth).to.equal(18);
      // size doubled, duration kept (bee-js tops up first, so the dilution halves a doubled balance)
      expect(bigger.duration.toSeconds()).to.be.closeTo(longer.duration.toSeconds(), 5);
    });

    it("bad input gets Bee's JSON error naming the value", async () => {
      const batch = await buy(18);
      const unknown = randomBytes(32).toString("hex");
      const patch = async (url: string) => {
        const response = await fetch(`${node.url}${url}`, { method: "PATCH" });
        return { status: response.status, body: (await response.json()) as { code: number; message: string; reasons?: { field: string; error: string }[] } };
      };

      const malformed = await patch(`/stamps/topup/xyz/100`);
      expect(malformed.status).to.equal(400);
      expect(malformed.body).to.include({ code: 400, message: "invalid path params" });
      expect(malformed.body.reasons).to.deep.equal([{ field: "batch_id", error: 'want 64 hex characters, got "xyz"' }]);
      for (const amount of ["0", "-5", "abc", "1.5"]) {
        const bad = await patch(`/stamps/topup/${batch}/${amount}`);
        expect(bad.status, amount).to.equal(400);
        expect(bad.body.reasons?.[0].field).to.equal("amount");
        expect(bad.body.reasons?.[0].error).to.include(JSON.stringify(amount));
      }
      for (const depth of ["300", "x"]) {
        const bad = await patch(`/stamps/dilute/${batch}/${depth}`);
        expect(bad.status, depth).to.equal(400);
        expect(bad.body.reasons?.[0]).to.deep.include({ field: "depth" });
        expect(bad.body.reasons?.[0].error).to.include(JSON.stringify(depth));
      }
      // Bee finds an unknown batch missing only when it prepares the transaction: 500.
      expect(await expectBeeStatus(bee.topUpBatch(unknown, "1000"), 500)).to.equal(`topup batch failed: batch ${unknown} not found`);
      expect(await expectBeeStatus(bee.diluteBatch(unknown, 20), 500)).to.equal(`dilute batch failed: batch ${unknown} not found`);
      // A lower depth is refused by Bee itself (400); the same depth by the contract (500).
      const lower = await patch(`/stamps/dilute/${batch}/17`);
      expect(lower.status).to.equal(400);
      expect(lower.body.message).to.equal("invalid depth: 17 is below the batch's depth 18");
      expect(await expectBeeStatus(bee.diluteBatch(batch, 18), 500)).to.include("dilute batch failed").and.include("new depth 18");
      // nothing changed
      const view = await bee.getPostageBatch(batch);
      expect(view.depth).to.equal(18);
      expect(view.amount).to.equal(AMOUNT.toString());
    });

    it("top-ups and dilutions are saved atomically and survive a restart", async () => {
      const batch = await buy(17);
      await bee.topUpBatch(batch, "1000");
      await bee.diluteBatch(batch, 19);
      const expected = (AMOUNT + 1000n) / 4n;
      expect(fs.readdirSync(dataDir).filter((name) => name.startsWith("stamps.json."))).to.deep.equal([]);
      // the debris of a save interrupted by a crash: ignored and removed at start
      fs.writeFileSync(path.join(dataDir, "stamps.json.4242.tmp"), "[{ half a batch");
      await restart();
      expect(fs.existsSync(path.join(dataDir, "stamps.json.4242.tmp"))).to.equal(false);
      const view = await bee.getPostageBatch(batch);
      expect(view.depth).to.equal(19);
      expect(BigInt(view.amount)).to.equal(expected);
    });
  });
});
