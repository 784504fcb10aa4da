import { EventFragment, Interface, type ParamType } from "ethers";
// The two factory files only: the typechain index pulls in every contract of the repository.
import { IPodMarket__factory } from "../../typechain-types/factories/contracts/interfaces/IPodMarket__factory";
import { IPodRegistry__factory } from "../../typechain-types/factories/contracts/interfaces/IPodRegistry__factory";

/** Which Lure contract emitted a log; the indexer only asks for these two addresses. */
export type LureContract = "PodRegistry" | "PodMarket";

/**
 * Events the implementations inherit from OpenZeppelin rather than declare in the interfaces.
 * They are decoded so every event lands in the `events` table, and Transfer drives ownership.
 */
const INHERITED_EVENTS = [
  "event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)",
  "event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId)",
  "event ApprovalForAll(address indexed owner, address indexed operator, bool approved)",
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)",
  "event Paused(address account)",
  "event Unpaused(address account)",
  "event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)",
];

/** Decoded arguments: uints as decimal strings, addresses/bytes lower-case hex, bools, strings. */
export type DecodedArgs = Record<string, string | boolean>;

export interface DecodedLog {
  contract: LureContract;
  name: string;
  args: DecodedArgs;
}

interface EventDecoder {
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

function decodersFor(abi: Interface | readonly string[] | ReturnType<typeof IPodRegistry__factory.createInterface>): Map<string, EventDecoder> {
  const iface = abi instanceof Interface ? abi : new Interface(abi as readonly string[]);
  const decoders = new Map<string, EventDecoder>();
  iface.forEachEvent((fragment) => decoders.set(fragment.topicHash.toLowerCase(), compileDecoder(iface, fragment)));
  return decoders;
}

const registryDecoders = decodersFor(new Interface([...IPodRegistry__factory.abi.filter((item) => item.type === "event"), ...INHERITED_EVENTS]));
const marketDecoders = decodersFor(new Interface([...IPodMarket__factory.abi.filter((item) => item.type === "event"), ...INHERITED_EVENTS]));

/** topic0 of every event the indexer understands, per contract (for eth_getLogs filters). */
export function knownTopics(contract: LureContract): string[] {
  return [...(contract === "PodRegistry" ? registryDecoders : marketDecoders).keys()];
}

/** Decodes a raw log; undefined for an event this ABI does not know (kept out, logged by the caller). */
export function decodeLog(contract: LureContract, topics: readonly string[], data: string): DecodedLog | undefined {
  const topic0 = topics[0]?.toLowerCase();
  if (!topic0) return undefined;
  const decoder = (contract === "PodRegistry" ? registryDecoders : marketDecoders).get(topic0);
  if (!decoder) return undefined;
  return { contract, name: decoder.name, args: decoder.decode(topics, data) };
}
