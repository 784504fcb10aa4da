import { expect } from "chai";
import { Interface } from "ethers";
import { Batch } from "../../services/indexer/batch";
import type { ChainEvent } from "../../services/indexer/chain-event";
import { defineContract } from "../../services/indexer/contracts/module";
import type { RawLog } from "../../services/indexer/get-logs";
import { decodeRawLogs } from "../../services/indexer/log-decoding";
import { indexedSchema } from "../../services/indexer/schema";
import { EVENTS, HISTORY_KEY_COLUMNS, HISTORY_POSITION_COLUMNS, type TableSpec } from "../../services/indexer/tables";

const ADDRESS = "0x00000000000000000000000000000000000000aa";
const CALLER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

const ABI = [
  {
    type: "event",
    name: "Rang",
    anonymous: false,
    inputs: [
      { name: "caller", type: "address", indexed: true },
      { name: "times", type: "uint256", indexed: false },
      { name: "loud", type: "bool", indexed: false },
      { name: "note", type: "string", indexed: false },
    ],
  },
  { type: "event", name: "Silenced", anonymous: false, inputs: [{ name: "by", type: "address", indexed: true }] },
] as const;

const RINGS: TableSpec = { name: "rings", key: ["block_number", "log_index"], columns: [...HISTORY_KEY_COLUMNS, ["caller", "text"], ["times", "numeric"], ...HISTORY_POSITION_COLUMNS] };

describe("indexer: typed dispatch to contract modules", () => {
  const received: { caller: string; times: string; loud: boolean; note: string }[] = [];
  const bell = defineContract<typeof ABI, { rang: { caller: string; loud: boolean } }>({
    name: "Bell",
    abi: ABI,
    tables: { mutable: [], appendOnly: [RINGS] },
    announces: ["rang"],
    handlers: {
      Rang: {
        recorded: true,
        apply(args, event, effects) {
          // The argument types come from the ABI: a bool is a boolean, every other type a string.
          const loud: boolean = args.loud;
          const times: string = args.times;
          // @ts-expect-error Rang declares no argument `by`
          void args.by;
          // @ts-expect-error a bool is decoded as a boolean, not a string
          const wrong: string = args.loud;
          void wrong;
          received.push({ caller: args.caller, times, loud, note: args.note });
          effects.record(RINGS, { caller: args.caller, times }, event);
          effects.announce("rang", { caller: args.caller, loud });
          // Type checks only, never run:
          const undeclared = () =>
            // @ts-expect-error the module announces only `rang`
            effects.announce("purchase", { caller: args.caller, loud });
          void undeclared;
        },
      },
      // @ts-expect-error the ABI declares no event `Rung`
      Rung: {},
    },
  });
  const contracts = [{ address: ADDRESS, contract: "Bell" }];
  const iface = new Interface(ABI);
  const log = (name: "Rang" | "Silenced", values: unknown[], logIndex: number): RawLog => {
    const { data, topics } = iface.encodeEventLog(name, values);
    return { address: ADDRESS, topics, data, blockNumber: "0x5", blockHash: `0x${"ab".repeat(32)}`, transactionHash: `0x${"cd".repeat(32)}`, logIndex: `0x${logIndex.toString(16)}`, removed: false };
  };
  const decode = (logs: RawLog[]): ChainEvent[] => decodeRawLogs(logs, contracts, [goodBell]).events;
  // The @ts-expect-error above keeps a handler for an undeclared event in `bell`: the engine refuses it.
  const { Rung: _rung, ...goodHandlers } = bell.handlers as Record<string, unknown>;
  const goodBell = defineContract<typeof ABI, { rang: { caller: string; loud: boolean } }>({ ...bell, handlers: goodHandlers });

  it("routes each event to its module's handler with its decoded, typed arguments", () => {
    received.length = 0;
    const batch = new Batch(indexedSchema([goodBell]), false);
    for (const event of decode([log("Rang", [CALLER, 3, true, "ding"], 0), log("Silenced", [CALLER], 1)])) batch.apply(event);
    expect(received).to.deep.equal([{ caller: CALLER.toLowerCase(), times: "3", loud: true, note: "ding" }]);
    expect(batch.history.get(RINGS)!.size, "Rang has a table of its own").to.equal(1);
    expect(batch.history.get(EVENTS)!.size, "Silenced has no handler: it lands in events only").to.equal(1);
    expect(batch.announcements.get("rang")).to.deep.equal([{ caller: CALLER.toLowerCase(), loud: true }]);
    batch.release();
  });

  it("builds the routes once per module list, and refuses a handler for an event the ABI does not declare", () => {
    const modules = [goodBell];
    expect(indexedSchema(modules)).to.equal(indexedSchema(modules));
    expect(indexedSchema(modules).routes.get("Bell")!.get("Silenced")).to.deep.equal({ toEventsTable: true, touches: undefined, apply: undefined });
    expect(() => indexedSchema([bell])).to.throw(/Bell handles Rung, which its ABI does not declare/);
    expect(() => indexedSchema([goodBell, goodBell])).to.throw(/two contract modules are named Bell/);
  });
});
