import { EventFragment, Interface, type ParamType } from "ethers";
import type { DecodedArgs } from "./chain-event";
import type { RegisteredContract } from "./contracts/module";

/**
 * Log decoding for any contract module: one decoder per event of its ABI, keyed by topic0, compiled
 * once per module. Nothing here knows a contract.
 */

export interface EventDecoder {
  name: string;
  decode(topics: readonly string[], data: string): DecodedArgs;
}

const STATIC_WORD = /^(u?int\d*|address|bool|bytes32|bytes\d+)$/;

/**
 * A decoder specialised for one event. Lure's events use only static words plus `string`, so a
 * direct slice of the hex is several times faster than the generic ABI coder, which matters at
 * tens of thousands of events per second. Anything more exotic falls back to ethers.
 */
function compileDecoder(iface: Interface, fragment: EventFragment): EventDecoder {
  const inputs = fragment.inputs;
  const simple = inputs.every((input) => STATIC_WORD.test(input.type) || (!input.indexed && input.type === "string"));
  if (!simple) {
    return {
      name: fragment.name,
      decode(topics, data) {
        const parsed = iface.decodeEventLog(fragment, data, topics);
        const args: DecodedArgs = {};
        inputs.forEach((input, index) => (args[input.name] = normalise(parsed[index])));
        return args;
      },
    };
  }
  return {
    name: fragment.name,
    decode(topics, data) {
      const args: DecodedArgs = {};
      let topicIndex = 1;
      let word = 0;
      for (const input of inputs) {
        const hex = input.indexed ? topics[topicIndex++].slice(2) : data.slice(2 + word * 64, 2 + (word++ + 1) * 64);
        if (hex.length !== 64) throw new Error(`log of ${fragment.name} is too short for argument ${input.name}`);
        args[input.name] = input.type === "string" ? readString(data, hex, fragment.name) : readWord(input, hex);
      }
      return args;
    },
  };
}

/** 52 leading zero digits: the value fits in 48 bits, so a Number parses it exactly (startsWith: cheaper than a regular expression). */
const SMALL_WORD_PREFIX = "0".repeat(52);

/*
 * Results are fresh strings: `(...).toLowerCase()` on a concatenation flattens it into a new string,
 * whereas a plain slice would keep the whole log's data alive for as long as a row holds the value.
 */
function readWord(input: ParamType, hex: string): string | boolean {
  const type = input.type;
  if (type === "address") return `0x${hex.slice(24)}`.toLowerCase();
  if (type === "bool") return hex.charCodeAt(63) !== 48; // '0'
  if (type.startsWith("uint")) return hex.startsWith(SMALL_WORD_PREFIX) ? String(Number.parseInt(hex.slice(52), 16)) : BigInt(`0x${hex}`).toString();
  if (type.startsWith("int")) return BigInt.asIntN(256, BigInt(`0x${hex}`)).toString();
  return `0x${hex}`.toLowerCase();
}

function readString(data: string, offsetWord: string, eventName: string): string {
  const offset = Number.parseInt(offsetWord, 16) * 2 + 2;
  const length = Number.parseInt(data.slice(offset, offset + 64), 16);
  const start = offset + 64;
  if (!Number.isFinite(length) || start + length * 2 > data.length) throw new Error(`log of ${eventName} has a malformed string`);
  const text = Buffer.from(data.slice(start, start + length * 2), "hex").toString("utf8");
  // PostgreSQL text cannot hold NUL: a name carrying one would stop indexing for good.
  return text.includes("\0") ? text.replaceAll("\0", "") : text;
}

function normalise(value: unknown): string | boolean {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value;
  return String(value).toLowerCase();
}

const decodersByModule = new WeakMap<RegisteredContract, Map<string, EventDecoder>>();

/** The decoders of a module's events, by lower-case topic0 (built once per module). */
export function eventDecodersOf(module: RegisteredContract): Map<string, EventDecoder> {
  let decoders = decodersByModule.get(module);
  if (!decoders) {
    const iface = new Interface(module.abi);
    decoders = new Map<string, EventDecoder>();
    const compiled = decoders;
    iface.forEachEvent((fragment) => compiled.set(fragment.topicHash.toLowerCase(), compileDecoder(iface, fragment)));
    decodersByModule.set(module, decoders);
  }
  return decoders;
}
