/**
 * A keccak256 for fixed-size inputs, compiled to WebAssembly at start-up from the instructions
 * emitted below (no binary is checked in, nothing is downloaded).
 *
 * Why: keccak-f[1600] is a permutation of 25 64-bit lanes. JavaScript has no 64-bit integers,
 * so pure-JS keccaks (bee-js's cafe-utility, @noble/hashes) work on 32-bit halves and manage
 * only a few MB/s of BMT hashing on these machines. WebAssembly has native i64 rotate/xor and
 * keeps the whole state in locals, and a BMT level of up to 64 pair hashes is done in one call.
 *
 * The module exports `hashBlocks64(src, dst, count)` (keccak256 of `count` consecutive 64-byte
 * blocks, 32-byte digests written consecutively from `dst`; in place is allowed),
 * `hashBlocks40(src, dst, count)` (same for 40-byte inputs: span || BMT root) and
 * `hashPairs64x2(src, dst, pairs)` (hashBlocks64 of 2 × pairs blocks, two at a time with SIMD).
 * Correctness is pinned by test/swarm/bmt.test.ts against @noble/hashes' keccak_256.
 */

// --- the minimal WebAssembly binary encoder we need ---------------------------------------

const OP = {
  block: 0x02, loop: 0x03, end: 0x0b, br: 0x0c, brIf: 0x0d,
  localGet: 0x20, localSet: 0x21,
  i64Load: 0x29, i64Store: 0x37,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Ne: 0x47,
  i32Add: 0x6a, i32Sub: 0x6b,
  i64And: 0x83, i64Xor: 0x85, i64Rotl: 0x89,
  voidBlockType: 0x40, typeI32: 0x7f, typeI64: 0x7e, typeV128: 0x7b,
} as const;

/** SIMD instructions: prefix 0xfd, then the instruction number as unsigned LEB128. */
const SIMD = {
  v128Const: 12, i64x2Splat: 18, i64x2ExtractLane: 29, i64x2ReplaceLane: 30,
  v128AndNot: 79, v128Or: 80, v128Xor: 81, i64x2Shl: 203, i64x2ShrU: 205,
} as const;

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signedLeb(value: bigint): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const signBitSet = (byte & 0x40) !== 0;
    if ((value === 0n && !signBitSet) || (value === -1n && signBitSet)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, "utf8")];
  return [...unsignedLeb(bytes.length), ...bytes];
}

// --- keccak-f[1600] constants, derived as FIPS 202 specifies them ---------------------------

/** Rotation offset of each lane index x + 5y (rho), from the (x, y) walk of the standard. */
function rhoOffsets(): number[] {
  const offsets = new Array<number>(25).fill(0);
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    offsets[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  return offsets;
}

/** The 24 iota round constants from the degree-8 LFSR rc(t). */
function roundConstants(): bigint[] {
  const constants: bigint[] = [];
  let lfsr = 1;
  const rcBit = (): number => {
    const bit = lfsr & 1;
    lfsr = lfsr & 0x80 ? ((lfsr << 1) ^ 0x71) & 0xff : (lfsr << 1) & 0xff;
    return bit;
  };
  for (let round = 0; round < 24; round++) {
    let constant = 0n;
    for (let j = 0; j <= 6; j++) if (rcBit()) constant |= 1n << BigInt((1 << j) - 1);
    constants.push(constant);
  }
  return constants;
}

/** Byte offset of the round-constant table in linear memory. */
const ROUND_CONSTANTS_AT = 0;

// --- code generation ----------------------------------------------------------------------

/**
 * Body of hashBlocks(src, dst, count) for inputs of `lanes` 64-bit lanes (8 for 64 bytes,
 * 5 for 40 bytes), reading with stride `lanes * 8` and writing 32-byte digests.
 */
function hashBlocksBody(lanes: number): number[] {
  const SRC = 0, DST = 1, COUNT = 2, ROUND = 3;
  const A = 4; // a[0..24]: the state
  const B = A + 25; // b[0..24]: state after rho and pi
  const C = B + 25; // c[0..4]: column parities
  const D = C + 5; // d: theta term
  const rho = rhoOffsets();
  const code: number[] = [];
  const get = (local: number) => code.push(OP.localGet, ...unsignedLeb(local));
  const set = (local: number) => code.push(OP.localSet, ...unsignedLeb(local));
  const i64 = (value: bigint) => code.push(OP.i64Const, ...signedLeb(BigInt.asIntN(64, value)));
  const i32 = (value: number) => code.push(OP.i32Const, ...signedLeb(BigInt(value)));

  code.push(OP.block, OP.voidBlockType, OP.loop, OP.voidBlockType);
  // while (count != 0)
  get(COUNT);
  code.push(OP.i32Eqz, OP.brIf, 1);
  // Absorb one block: message lanes, then keccak's 0x01 ... 0x80 padding in a 136-byte rate.
  for (let lane = 0; lane < 25; lane++) {
    if (lane < lanes) {
      get(SRC);
      code.push(OP.i64Load, 3, ...unsignedLeb(lane * 8));
    } else if (lane === lanes) {
      i64(1n);
    } else if (lane === 16) {
      i64(0x80n << 56n);
    } else {
      i64(0n);
    }
    set(A + lane);
  }
  // 24 rounds, the round index walking the constant table.
  i32(ROUND_CONSTANTS_AT);
  set(ROUND);
  code.push(OP.loop, OP.voidBlockType);
  // theta
  for (let x = 0; x < 5; x++) {
    get(A + x);
    for (let y = 1; y < 5; y++) {
      get(A + x + 5 * y);
      code.push(OP.i64Xor);
    }
    set(C + x);
  }
  for (let x = 0; x < 5; x++) {
    get(C + ((x + 4) % 5));
    get(C + ((x + 1) % 5));
    i64(1n);
    code.push(OP.i64Rotl, OP.i64Xor);
    set(D);
    for (let y = 0; y < 5; y++) {
      get(A + x + 5 * y);
      get(D);
      code.push(OP.i64Xor);
      set(A + x + 5 * y);
    }
  }
  // rho and pi: b[y, 2x + 3y] = rotl(a[x, y], rho[x, y])
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      get(A + x + 5 * y);
      if (rho[x + 5 * y] !== 0) {
        i64(BigInt(rho[x + 5 * y]));
        code.push(OP.i64Rotl);
      }
      set(B + y + 5 * ((2 * x + 3 * y) % 5));
    }
  }
  // chi: a[x, y] = b[x, y] ^ (~b[x+1, y] & b[x+2, y])
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      get(B + x + 5 * y);
      get(B + ((x + 1) % 5) + 5 * y);
      i64(-1n);
      code.push(OP.i64Xor);
      get(B + ((x + 2) % 5) + 5 * y);
      code.push(OP.i64And, OP.i64Xor);
      set(A + x + 5 * y);
    }
  }
  // iota
  get(A);
  get(ROUND);
  code.push(OP.i64Load, 3, 0, OP.i64Xor);
  set(A);
  get(ROUND);
  i32(8);
  code.push(OP.i32Add);
  set(ROUND);
  get(ROUND);
  i32(ROUND_CONSTANTS_AT + 24 * 8);
  code.push(OP.i32Ne, OP.brIf, 0, OP.end);
  // squeeze 32 bytes
  for (let lane = 0; lane < 4; lane++) {
    get(DST);
    get(A + lane);
    code.push(OP.i64Store, 3, ...unsignedLeb(lane * 8));
  }
  get(SRC);
  i32(lanes * 8);
  code.push(OP.i32Add);
  set(SRC);
  get(DST);
  i32(32);
  code.push(OP.i32Add);
  set(DST);
  get(COUNT);
  i32(1);
  code.push(OP.i32Sub);
  set(COUNT);
  code.push(OP.br, 0, OP.end, OP.end, OP.end);

  const locals = vector([
    [...unsignedLeb(1), OP.typeI32],
    [...unsignedLeb(25 + 25 + 5 + 1), OP.typeI64],
  ]);
  const body = [...locals, ...code];
  return [...unsignedLeb(body.length), ...body];
}

/**
 * Body of hashPairs64x2(src, dst, pairs): two independent 64-byte blocks per iteration, lane x of
 * block A in the low half and of block B in the high half of one v128. Each iteration reads A at
 * src and B at src + 64 and writes their digests at dst and dst + 32, so a BMT level can be
 * hashed in place two pairs at a time. SIMD has no 64-bit rotate (a rotate is shl | shr_u), but
 * every other step does two hashes' work per instruction, and chi gets andnot.
 */
function hashPairsSimdBody(): number[] {
  const SRC = 0, DST = 1, PAIRS = 2, ROUND = 3;
  const A = 4;
  const B = A + 25;
  const C = B + 25;
  const D = C + 5;
  const rho = rhoOffsets();
  const code: number[] = [];
  const get = (local: number) => code.push(OP.localGet, ...unsignedLeb(local));
  const set = (local: number) => code.push(OP.localSet, ...unsignedLeb(local));
  const i32 = (value: number) => code.push(OP.i32Const, ...signedLeb(BigInt(value)));
  const simd = (instruction: number, ...immediates: number[]) => code.push(0xfd, ...unsignedLeb(instruction), ...immediates);
  const splatConstant = (value: bigint) => {
    const half = Array.from({ length: 8 }, (_, i) => Number((BigInt.asUintN(64, value) >> BigInt(8 * i)) & 0xffn));
    simd(SIMD.v128Const, ...half, ...half);
  };
  const rotl = (local: number, by: number) => {
    get(local);
    i32(by);
    simd(SIMD.i64x2Shl);
    get(local);
    i32(64 - by);
    simd(SIMD.i64x2ShrU);
    simd(SIMD.v128Or);
  };

  code.push(OP.block, OP.voidBlockType, OP.loop, OP.voidBlockType);
  get(PAIRS);
  code.push(OP.i32Eqz, OP.brIf, 1);
  for (let lane = 0; lane < 25; lane++) {
    if (lane < 8) {
      get(SRC);
      code.push(OP.i64Load, 3, ...unsignedLeb(lane * 8));
      simd(SIMD.i64x2Splat);
      get(SRC);
      code.push(OP.i64Load, 3, ...unsignedLeb(64 + lane * 8));
      simd(SIMD.i64x2ReplaceLane, 1);
    } else if (lane === 8) {
      splatConstant(1n);
    } else if (lane === 16) {
      splatConstant(0x80n << 56n);
    } else {
      splatConstant(0n);
    }
    set(A + lane);
  }
  i32(ROUND_CONSTANTS_AT);
  set(ROUND);
  code.push(OP.loop, OP.voidBlockType);
  for (let x = 0; x < 5; x++) {
    get(A + x);
    for (let y = 1; y < 5; y++) {
      get(A + x + 5 * y);
      simd(SIMD.v128Xor);
    }
    set(C + x);
  }
  for (let x = 0; x < 5; x++) {
    get(C + ((x + 4) % 5));
    rotl(C + ((x + 1) % 5), 1);
    simd(SIMD.v128Xor);
    set(D);
    for (let y = 0; y < 5; y++) {
      get(A + x + 5 * y);
      get(D);
      simd(SIMD.v128Xor);
      set(A + x + 5 * y);
    }
  }
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      if (rho[x + 5 * y] !== 0) rotl(A + x + 5 * y, rho[x + 5 * y]);
      else get(A + x + 5 * y);
      set(B + y + 5 * ((2 * x + 3 * y) % 5));
    }
  }
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      get(B + x + 5 * y);
      get(B + ((x + 2) % 5) + 5 * y);
      get(B + ((x + 1) % 5) + 5 * y);
      simd(SIMD.v128AndNot); // b[x+2] & ~b[x+1]
      simd(SIMD.v128Xor);
      set(A + x + 5 * y);
    }
  }
  get(A);
  get(ROUND);
  code.push(OP.i64Load, 3, 0);
  simd(SIMD.i64x2Splat);
  simd(SIMD.v128Xor);
  set(A);
  get(ROUND);
  i32(8);
  code.push(OP.i32Add);
  set(ROUND);
  get(ROUND);
  i32(ROUND_CONSTANTS_AT + 24 * 8);
  code.push(OP.i32Ne, OP.brIf, 0, OP.end);
  for (let lane = 0; lane < 4; lane++) {
    for (const half of [0, 1]) {
      get(DST);
      get(A + lane);
      simd(SIMD.i64x2ExtractLane, half);
      code.push(OP.i64Store, 3, ...unsignedLeb(half * 32 + lane * 8));
    }
  }
  get(SRC);
  i32(128);
  code.push(OP.i32Add);
  set(SRC);
  get(DST);
  i32(64);
  code.push(OP.i32Add);
  set(DST);
  get(PAIRS);
  i32(1);
  code.push(OP.i32Sub);
  set(PAIRS);
  code.push(OP.br, 0, OP.end, OP.end, OP.end);

  const locals = vector([
    [...unsignedLeb(1), OP.typeI32],
    [...unsignedLeb(25 + 25 + 5 + 1), OP.typeV128],
  ]);
  const body = [...locals, ...code];
  return [...unsignedLeb(body.length), ...body];
}

function moduleBytes(withSimd: boolean): Uint8Array<ArrayBuffer> {
  const threeI32ToVoid = [0x60, ...vector([[OP.typeI32], [OP.typeI32], [OP.typeI32]]), ...vector([])];
  const functions = withSimd ? [[0], [0], [0]] : [[0], [0]];
  const exports = [[...name("memory"), 0x02, 0], [...name("hashBlocks64"), 0x00, 0], [...name("hashBlocks40"), 0x00, 1]];
  if (withSimd) exports.push([...name("hashPairs64x2"), 0x00, 2]);
  const bodies = [hashBlocksBody(8), hashBlocksBody(5)];
  if (withSimd) bodies.push(hashPairsSimdBody());
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([threeI32ToVoid])),
    ...section(3, vector(functions)),
    ...section(5, vector([[0x00, 1]])), // one 64 KiB page, no maximum
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ];
  return new Uint8Array(bytes);
}

export interface WasmKeccak {
  /** The module's whole linear memory (64 KiB); offsets below 256 are reserved. */
  memory: Uint8Array;
  hashBlocks64(src: number, dst: number, count: number): void;
  hashBlocks40(src: number, dst: number, count: number): void;
  /**
   * keccak256 of 2 × `pairs` consecutive 64-byte blocks, two per step (WebAssembly SIMD); same
   * output as hashBlocks64(src, dst, 2 × pairs). Falls back to hashBlocks64 without SIMD.
   */
  hashPairs64x2(src: number, dst: number, pairs: number): void;
  /** Whether the SIMD path is in use. */
  simd: boolean;
}

/** First byte of linear memory free for callers' buffers. */
export const WASM_SCRATCH_START = 256;

let instance: WasmKeccak | undefined;

/** The shared instance, compiled synchronously on first use (a few hundred microseconds). */
export function wasmKeccak(): WasmKeccak {
  if (instance) return instance;
  let simd = true;
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(moduleBytes(true));
  } catch {
    // A runtime without WebAssembly SIMD: the scalar functions alone.
    simd = false;
    module = new WebAssembly.Module(moduleBytes(false));
  }
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as {
    memory: WebAssembly.Memory;
    // WebAssembly exports are plain functions: no `this`.
    hashBlocks64: (src: number, dst: number, count: number) => void;
    hashBlocks40: (src: number, dst: number, count: number) => void;
    hashPairs64x2?: (src: number, dst: number, pairs: number) => void;
  };
  const memory = new Uint8Array(exports.memory.buffer);
  const table = new BigUint64Array(exports.memory.buffer, ROUND_CONSTANTS_AT, 24);
  roundConstants().forEach((constant, round) => (table[round] = constant));
  const hashBlocks64 = exports.hashBlocks64;
  instance = {
    memory,
    hashBlocks64,
    hashBlocks40: exports.hashBlocks40,
    hashPairs64x2: exports.hashPairs64x2 ?? ((src, dst, pairs) => hashBlocks64(src, dst, 2 * pairs)),
    simd,
  };
  return instance;
}
