import { expect } from "chai";
import { IPodMarket__factory } from "../../typechain-types/factories/contracts/interfaces/IPodMarket__factory";
import { decodeRawLogs, LogDecoder } from "../../services/indexer/log-decoding";
import type { RawLog } from "../../services/indexer/get-logs";

const MARKET = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
const ACCOUNT = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const NATIVE = "0x0000000000000000000000000000000000000000";
const contracts = [{ address: MARKET, contract: "PodMarket" as const }];

/** A Withdrawn log of the market, as a node sends it. */
function withdrawn(amount: bigint, overrides: Partial<Record<keyof RawLog, unknown>> = {}): RawLog {
  const { data, topics } = IPodMarket__factory.createInterface().encodeEventLog("Withdrawn", [ACCOUNT, NATIVE, ACCOUNT, amount]);
  return {
    address: MARKET,
    topics,
    data,
    blockNumber: "0x1f",
    blockHash: `0x${"AB".repeat(32)}`,
    transactionHash: `0x${"cd".repeat(32)}`,
    logIndex: "0x2",
    removed: false,
    ...overrides,
  } as RawLog;
}

describe("indexer: raw logs decoded one by one", () => {
  it("decodes a log of a known contract, lower-casing its hashes, with the timestamp left for the header", () => {
    const { events, unknown } = decodeRawLogs([withdrawn(10n ** 18n)], contracts);
    expect(unknown).to.deep.equal([]);
    expect(events).to.deep.equal([
      {
        contract: "PodMarket",
        name: "Withdrawn",
        args: { account: ACCOUNT, token: NATIVE, recipient: ACCOUNT, amount: "1000000000000000000" },
        blockNumber: 31,
        blockHash: `0x${"ab".repeat(32)}`,
        txHash: `0x${"cd".repeat(32)}`,
        logIndex: 2,
        timestamp: 0,
      },
    ]);
  });

  it("drops removed logs and logs of other addresses, and sets aside events the ABI does not know", () => {
    const unknownTopic = `0x${"99".repeat(32)}`;
    const { events, unknown } = decodeRawLogs(
      [withdrawn(1n, { removed: true }), withdrawn(2n, { address: "0x1111111111111111111111111111111111111111" }), withdrawn(3n, { topics: [unknownTopic] }), withdrawn(4n, { topics: [] }), withdrawn(5n, { address: MARKET.toUpperCase().replace("0X", "0x") })],
      contracts,
    );
    expect(events.map((event) => event.args.amount)).to.deep.equal(["5"]);
    expect(unknown).to.deep.equal([
      { address: MARKET, topic0: unknownTopic, txHash: `0x${"cd".repeat(32)}` },
      { address: MARKET, topic0: undefined, txHash: `0x${"cd".repeat(32)}` },
    ]);
  });

  it("shares one string per block hash and transaction hash across consecutive logs", () => {
    const { events } = decodeRawLogs([withdrawn(1n), withdrawn(2n, { logIndex: "0x3" })], contracts);
    expect(events[0].blockHash).to.equal(events[1].blockHash);
    expect(events[0].txHash).to.equal(events[1].txHash);
  });

  it("refuses a malformed log with an error naming the field and its value", () => {
    const cases: [Partial<Record<keyof RawLog, unknown>>, RegExp][] = [
      [{ topics: "0xab" }, /malformed log: topics is "0xab"/],
      [{ topics: [7] }, /malformed log: topics is \[7\]/],
      [{ data: null }, /malformed log: data is null/],
      [{ blockNumber: "31" }, /malformed log: blockNumber is "31"/],
      [{ blockNumber: "0xzz" }, /malformed log: blockNumber is "0xzz"/],
      [{ logIndex: 2 }, /malformed log: logIndex is 2/],
      [{ blockHash: "0x1234" }, /malformed log: blockHash is "0x1234"/],
      [{ transactionHash: undefined }, /malformed log: transactionHash is undefined/],
    ];
    for (const [override, message] of cases) {
      const decoder = new LogDecoder(contracts);
      expect(() => decoder.add(withdrawn(1n, override)), JSON.stringify(override)).to.throw(message);
    }
  });
});
