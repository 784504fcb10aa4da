import { expect } from "chai";
import fc from "fast-check";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { MerkleTree } from "cafe-utility";
import { chunkAddress, swarmReference } from "../../services/swarm/bmt";
import { wasmKeccak, WASM_SCRATCH_START } from "../../services/swarm/wasm-keccak";
import { hex } from "../support/swarm";

describe("swarm: the WebAssembly keccak and the BMT built on it", function () {
  it("keccak256 of 64- and 40-byte blocks equals @noble/hashes, several blocks per call, scalar and SIMD", () => {
    const keccak = wasmKeccak();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64 * 3, maxLength: 64 * 3 }), (input) => {
        keccak.memory.set(input, WASM_SCRATCH_START);
        keccak.hashBlocks64(WASM_SCRATCH_START, WASM_SCRATCH_START + 1024, 3);
        for (let i = 0; i < 3; i++) {
          const got = keccak.memory.slice(WASM_SCRATCH_START + 1024 + 32 * i, WASM_SCRATCH_START + 1024 + 32 * (i + 1));
          expect(hex(got)).to.equal(hex(keccak_256(input.subarray(64 * i, 64 * (i + 1)))));
        }
        keccak.memory.fill(0, WASM_SCRATCH_START + 1024, WASM_SCRATCH_START + 1024 + 96);
        keccak.hashPairs64x2(WASM_SCRATCH_START, WASM_SCRATCH_START + 1024, 1);
        for (let i = 0; i < 2; i++) {
          const got = keccak.memory.slice(WASM_SCRATCH_START + 1024 + 32 * i, WASM_SCRATCH_START + 1024 + 32 * (i + 1));
          expect(hex(got), `SIMD block ${i}`).to.equal(hex(keccak_256(input.subarray(64 * i, 64 * (i + 1)))));
        }
        keccak.hashBlocks40(WASM_SCRATCH_START, WASM_SCRATCH_START + 1024, 2);
        expect(hex(keccak.memory.slice(WASM_SCRATCH_START + 1024, WASM_SCRATCH_START + 1056))).to.equal(hex(keccak_256(input.subarray(0, 40))));
        expect(hex(keccak.memory.slice(WASM_SCRATCH_START + 1056, WASM_SCRATCH_START + 1088))).to.equal(hex(keccak_256(input.subarray(40, 80))));
      }),
      { numRuns: 200 },
    );
  });

  it("runs the SIMD path on this Node", () => {
    expect(wasmKeccak().simd).to.equal(true);
  });

  it("chunk addresses equal cafe-utility's MerkleTree for payloads of 0..4096 bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 4096 }), async (payload) => {
        expect(hex(chunkAddress(payload.length, payload))).to.equal(hex((await MerkleTree.root(payload)).hash()));
      }),
      { numRuns: 60 },
    );
  });

  it("references of multi-chunk data equal cafe-utility's MerkleTree (lone last chunks carried up)", async () => {
    for (const size of [4097, 8192 + 32, 127 * 4096 + 5, 129 * 4096, 2 * 128 * 4096 + 4096 + 1]) {
      const data = new Uint8Array(size).map((_, i) => (i * 13 + 7) % 256);
      expect(swarmReference(data), `size ${size}`).to.equal(hex((await MerkleTree.root(data)).hash()));
    }
  });

  it("a chunk payload over 4096 bytes is refused, naming its size", () => {
    expect(() => chunkAddress(4097, new Uint8Array(4097))).to.throw(RangeError, "4097");
  });
});
