import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import type { Database } from "../../services/database";
import type { Indexer } from "../../services/indexer";
import { createApiServer, type RunningApi } from "../../services/api/http/server";
import { graphQLResponse, type GraphQLResponse, type Page } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { subscribe, type SseSubscription } from "../support/api/sse";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { latestBlock, startTestIndexer, waitFor, waitForHead } from "../support/indexer/harness";
import {
  FAIL_PHASES,
  RUN_PRICE,
  RUNNER_FEE,
  deadline,
  deployRunMarketChain,
  mined,
  runEveryKind,
  swarmRef,
  type RunMarketChain,
} from "../support/indexer/run-market-chain";

interface RunItem {
  id: string;
  status: string;
  failedPhase: string | null;
  podId: string;
  runnerAddress: string | null;
}
type RunChange = { runUpdated: { __typename: string; runId?: string; change?: string; status?: string; runner?: string | null; stage?: number | null } };

/**
 * The runs domain over what the real indexer made of the real RunMarket (test/support/indexer/run-market-chain.ts,
 * `runEveryKind`: runs 1..13, carol requesting every one of them), with a pod that never ran ("gamma").
 */
for (const backend of testBackends()) {
  describe(`GraphQL: runs, runners and the run fields of pods (${backend.name})`, function () {
    this.timeout(180_000);
    let node: TestHardhatNode;
    let chain: RunMarketChain;
    let db: Database;
    let dispose: () => Promise<void>;
    let indexer: Indexer;
    let api: RunningApi;
    const streams: SseSubscription[] = [];
    const head = () => latestBlock(chain.provider);
    const lower = (signer: { address: string }) => signer.address.toLowerCase();

    async function query<T>(text: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
      const response = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: text, variables }) });
      return graphQLResponse<T>(await response.json());
    }
    async function gql<T>(text: string, variables?: Record<string, unknown>): Promise<T> {
      const result = await query<T>(text, variables);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!;
    }
    const runs = (where: Record<string, unknown>, extra = "") =>
      gql<{ runs: Page<RunItem> }>(`query ($where: RunWhere) { runs(where: $where ${extra}) { items { id status failedPhase podId runnerAddress } totalCount pageInfo { hasNextPage endCursor } } }`, { where }).then((data) => data.runs);

    before(async () => {
      node = await startHardhatNode();
      chain = await deployRunMarketChain(node.url);
      await mined(chain.registry.connect(chain.alice).publish("gamma", swarmRef("gamma v1"), 1, 0, 0, 1000));
      await runEveryKind(chain);
      ({ db, dispose } = await backend.open());
      indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db });
      await waitForHead(indexer, head);
      api = await createApiServer({ db, events: indexer.events, status: () => indexer.status(), dev: false }).listen("127.0.0.1", 0);
    });
    after(async () => {
      streams.forEach((stream) => stream.close());
      await api?.close();
      await indexer?.stop();
      await dispose?.();
      chain?.provider.destroy();
      await node?.stop();
    });

    it("lists runs with filters on pod, requester, runner, status and phase, ordered, and pages them by cursor", async () => {
      const { carol, runner1, runner2, runner3 } = chain;
      expect((await runs({})).totalCount).to.equal(13);
      expect((await runs({ requester: chain.carol.address })).totalCount, "addresses in any case").to.equal(13);
      const failed = await runs({ status: "FAILED" });
      expect(failed.items.map((run) => run.failedPhase)).to.deep.equal([...FAIL_PHASES]);
      expect((await runs({ failedPhase: "EXECUTE" })).items.map((run) => run.id)).to.deep.equal(["5"]);
      expect((await runs({ failedPhase_in: ["TIMEOUT", "OUTPUT_TOO_LARGE"] })).items.map((run) => run.id)).to.deep.equal(["6", "7"]);
      expect((await runs({ status_in: ["EXPIRED", "CANCELLED"] })).items.map((run) => [run.id, run.status])).to.deep.equal([
        ["9", "EXPIRED"],
        ["10", "CANCELLED"],
      ]);
      expect((await runs({ runner: lower(runner2) })).totalCount).to.equal(7);
      expect((await runs({ runner: lower(runner3) })).items.map((run) => run.status)).to.deep.equal(["EXPIRED"]);
      expect((await runs({ runner: null })).items.map((run) => run.id), "never claimed").to.deep.equal(["10", "13"]);
      expect((await runs({ podId: "2" })).items.map((run) => run.id), "beta's runs (the task's first pod is alpha)").to.deep.equal(["10", "12", "13"]);
      expect((await runs({ namedRunner: lower(runner1) })).items.map((run) => run.id)).to.deep.equal(["1", "11"]);
      expect((await runs({ stageCount_gt: 1 })).items.map((run) => run.id)).to.deep.equal(["11"]);
      expect((await runs({ requester: lower(runner1) })).totalCount).to.equal(0);
      expect((await runs({ OR: [{ status: "CLAIMED" }, { status: "REQUESTED" }], requester: lower(carol) })).items.map((run) => run.id)).to.deep.equal(["12", "13"]);
      expect((await runs({}, `, orderBy: id, orderDirection: desc, first: 3`)).items.map((run) => run.id)).to.deep.equal(["13", "12", "11"]);
      const byEnd = await runs({ status_in: ["COMPLETED", "CLAIMED"] }, `, orderBy: endedBlock, orderDirection: desc`);
      expect(byEnd.items.map((run) => run.id), "unended first when descending (NULLs first)").to.deep.equal(["12", "11", "1"]);

      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: Page<RunItem> = (await gql<{ runs: Page<RunItem> }>(`query ($after: String) { runs(first: 5, after: $after, orderBy: requestedBlock) { items { id } pageInfo { hasNextPage endCursor } } }`, { after })).runs;
        seen.push(...page.items.map((run) => run.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).to.deep.equal(Array.from({ length: 13 }, (_, index) => String(index + 1)));
    });

    it("answers run(id) with its stages, refs, pods, timings, payments and runner", async () => {
      const { alice, bob, carol, runner1 } = chain;
      type Stage = { index: number; pod: { name: string }; version: number; podPrice: string; outputRef: string | null; logRef: string | null; completedAt: number | null; podOwner: string | null; podProceeds: string | null };
      type Run = Record<string, unknown> & { stages: Stage[]; runner: { address: string; runsCompleted: number; fees: unknown[] } | null; pod: { name: string } };
      const { task, unknown } = await gql<{ task: Run; unknown: unknown }>(`{
        task: run(id: "11") {
          id requester status namedRunner runnerAddress podId pod { name } stageCount stagesCompleted inputRef token
          escrow podPrice runnerFee feeBps runnerPaid podProceeds platformFees refund slashed
          deadline claimedUntil requestedAt requestedBlock claimedAt claimedBlock endedAt endedBlock endedTx
          stages { index pod { name } version podPrice outputRef logRef completedAt podOwner podProceeds }
          runner { address runsCompleted fees { token fee accepted } }
          lastChange { blockNumber }
        }
        unknown: run(id: "999") { id }
      }`);
      expect(unknown).to.equal(null);
      const fee = (RUN_PRICE * 500n) / 10_000n;
      expect(task).to.deep.include({
        id: "11",
        requester: lower(carol),
        status: "COMPLETED",
        namedRunner: lower(runner1),
        runnerAddress: lower(runner1),
        podId: "1",
        pod: { name: "alpha" },
        stageCount: 2,
        stagesCompleted: 2,
        inputRef: swarmRef("task input"),
        token: ZeroAddress,
        escrow: String(RUN_PRICE + 2n * RUNNER_FEE),
        podPrice: String(RUN_PRICE),
        runnerFee: String(RUNNER_FEE),
        feeBps: 500,
        runnerPaid: String(2n * RUNNER_FEE),
        podProceeds: String(RUN_PRICE - fee),
        platformFees: String(fee),
        refund: "0",
        slashed: "0",
      });
      for (const field of ["deadline", "claimedUntil", "requestedAt", "requestedBlock", "claimedAt", "claimedBlock", "endedAt", "endedBlock"]) expect(task[field], field).to.be.a("number");
      expect(task.requestedBlock).to.be.lessThan(task.claimedBlock as number);
      expect(task.claimedBlock).to.be.lessThan(task.endedBlock as number);
      expect(task.stages.map((stage) => [stage.index, stage.pod.name, stage.version, stage.podPrice, stage.outputRef, stage.logRef, stage.podOwner])).to.deep.equal([
        [0, "alpha", 1, String(RUN_PRICE), swarmRef("task output 0"), swarmRef("task log 0"), lower(alice)],
        [1, "beta", 1, "0", swarmRef("task output 1"), swarmRef("task log 1"), lower(bob)],
      ]);
      expect(task.stages.every((stage) => typeof stage.completedAt === "number")).to.equal(true);
      expect(task.runner).to.deep.equal({ address: lower(runner1), runsCompleted: 2, fees: [{ token: ZeroAddress, fee: String(RUNNER_FEE), accepted: true }] });

      const { failed, waiting } = await gql<{ failed: Record<string, unknown>; waiting: Record<string, unknown> }>(`{
        failed: run(id: "2") { status failedPhase failedStage failLogRef refund runnerPaid stages { outputRef logRef completedAt } }
        waiting: run(id: "13") { status runner { address } runnerAddress claimedAt endedAt refund }
      }`);
      expect(failed).to.deep.equal({ status: "FAILED", failedPhase: "FETCH_POD", failedStage: 0, failLogRef: null, refund: String(RUN_PRICE + 5_000_000_000_000_000n), runnerPaid: "0", stages: [{ outputRef: null, logRef: null, completedAt: null }] });
      expect(waiting).to.deep.equal({ status: "REQUESTED", runner: null, runnerAddress: null, claimedAt: null, endedAt: null, refund: null });
    });

    it("lists runners with their fees, bond, pause and counts of completed, failed and expired runs", async () => {
      const { runner1, runner2, runner3 } = chain;
      type RunnerItem = { address: string; runnerId: number; bond: string; paused: boolean; unregistered: boolean; runsCompleted: number; runsFailed: number; runsExpired: number; lapsedClaims: number; slashed: string; fees: { fee: string }[]; runs: { totalCount: number } };
      const { runners } = await gql<{ runners: Page<RunnerItem> }>(
        `{ runners { items { address runnerId bond paused unregistered runsCompleted runsFailed runsExpired lapsedClaims slashed fees { fee } runs { totalCount } } totalCount } }`,
      );
      expect(runners.totalCount).to.equal(3);
      expect(runners.items.map((runner) => [runner.address, runner.runnerId, runner.paused, runner.unregistered, runner.runsCompleted, runner.runsFailed, runner.runsExpired, runner.lapsedClaims])).to.deep.equal([
        [lower(runner1), 1, false, false, 2, 0, 0, 0],
        [lower(runner2), 2, true, false, 0, 7, 0, 0],
        [lower(runner3), 3, false, true, 0, 0, 1, 1],
      ]);
      expect(runners.items.map((runner) => runner.runs.totalCount)).to.deep.equal([3, 7, 1]);
      expect(runners.items[1].fees, "the fee as last set").to.deep.equal([{ fee: String(3n * RUNNER_FEE) }]);
      expect([runners.items[2].bond, runners.items[2].slashed]).to.deep.equal(["0", "100000000000000000"]);
      const paused = await gql<{ runners: Page<{ address: string }> }>(`{ runners(where: { paused: true }) { items { address } } }`);
      expect(paused.runners.items).to.deep.equal([{ address: lower(runner2) }]);
      const busiest = await gql<{ runners: Page<{ address: string }> }>(`{ runners(orderBy: runsCompleted, orderDirection: desc, first: 1) { items { address } } }`);
      expect(busiest.runners.items).to.deep.equal([{ address: lower(runner1) }]);
      const one = await gql<{ runner: { runsFailed: number; publicKey: string } | null; nobody: unknown }>(`query ($address: Address!) { runner(address: $address) { runsFailed publicKey } nobody: runner(address: "${ZeroAddress}") { address } }`, {
        address: runner2.address,
      });
      expect(one).to.deep.equal({ runner: { runsFailed: 7, publicKey: swarmRef("runner2 new key") }, nobody: null });
    });

    it("gives pods their run count, success rate and run price", async () => {
      type PodRuns = { id: string; name: string; runCount: number; runSuccessRate: number | null; runPrice: { owner: string; token: string; price: string } | null };
      const { pods } = await gql<{ pods: Page<PodRuns> }>(`{ pods { items { id name runCount runSuccessRate runPrice { owner token price } } } }`);
      expect(pods.items).to.deep.equal([
        // alpha: run 1 and the task's stage 0 completed; 7 failures; run 9 expired while due.
        { id: "1", name: "alpha", runCount: 10, runSuccessRate: 0.2, runPrice: { owner: lower(chain.alice), token: ZeroAddress, price: String(RUN_PRICE) } },
        // beta: the task's stage 1 completed; run 10 was cancelled and 12, 13 have not ended.
        { id: "2", name: "beta", runCount: 4, runSuccessRate: 1, runPrice: null },
        { id: "3", name: "gamma", runCount: 0, runSuccessRate: null, runPrice: null },
      ]);
      const single = await gql<{ pod: { runCount: number } }>(`{ pod(id: "1") { runCount } }`);
      expect(single.pod.runCount).to.equal(10);
    });

    it("refuses bad filter values with an error naming the value and its type", async () => {
      const badStatus = await query(`{ runs(where: { status: DONE }) { totalCount } }`);
      expect(badStatus.errors?.[0].message).to.match(/"DONE".*RunStatus/);
      const badPhase = await query(`query ($where: RunWhere) { runs(where: $where) { totalCount } }`, { where: { failedPhase_in: ["CRASHED"] } });
      expect(badPhase.errors?.[0].message).to.match(/"CRASHED".*RunFailPhase/);
      expect(badPhase.errors?.[0].extensions?.code).to.equal("BAD_USER_INPUT");
      const badRunner = await query(`{ runs(where: { runner: "0x1234" }) { totalCount } }`);
      expect(badRunner.errors?.[0].message).to.match(/Address/);
      const badOrder = await query(`{ runs(orderBy: price) { totalCount } }`);
      expect(badOrder.errors?.[0].message).to.match(/RunOrderBy/);
    });

    it("streams runUpdated on every change of a run, filtered by requester, runner or run", async () => {
      const { runMarket, carol, runner1 } = chain;
      const everything = await subscribe(api.url, `subscription { runUpdated { __typename ... on RunChanged { runId change status runner stage } } }`);
      const byRunner = await subscribe(api.url, `subscription ($runner: Address) { runUpdated(runner: $runner) { __typename ... on RunChanged { runId change } } }`, { runner: runner1.address });
      const otherRun = await subscribe(api.url, `subscription { runUpdated(runId: "999") { __typename ... on RunChanged { runId } } }`);
      streams.push(everything, byRunner, otherRun);
      await waitFor("the subscriptions to attach", () => indexer.events.listenerCount("runUpdated") === 3, 10_000);

      // Run 14: beta for runner1 (named), claimed and completed.
      await mined(runMarket.connect(carol).requestRun(chain.beta, 0, ZeroHash, ZeroAddress, RUNNER_FEE, await deadline(chain), runner1.address, { value: RUNNER_FEE }));
      await mined(runMarket.connect(runner1).claim(14));
      await mined(runMarket.connect(runner1).complete(14, swarmRef("output 14"), swarmRef("log 14")));
      const received: RunChange["runUpdated"][] = [];
      for (let index = 0; index < 3; index++) received.push((await everything.next<RunChange>(20_000)).data!.runUpdated);
      expect(received).to.deep.equal([
        { __typename: "RunChanged", runId: "14", change: "REQUESTED", status: "REQUESTED", runner: null, stage: null },
        { __typename: "RunChanged", runId: "14", change: "CLAIMED", status: "CLAIMED", runner: lower(runner1), stage: null },
        { __typename: "RunChanged", runId: "14", change: "COMPLETED", status: "COMPLETED", runner: lower(runner1), stage: null },
      ]);
      const runnerSaw = [(await byRunner.next<RunChange>(20_000)).data!.runUpdated, (await byRunner.next<RunChange>(20_000)).data!.runUpdated];
      expect(runnerSaw, "a run is the runner's once claimed").to.deep.equal([
        { __typename: "RunChanged", runId: "14", change: "CLAIMED" },
        { __typename: "RunChanged", runId: "14", change: "COMPLETED" },
      ]);
      await waitForHead(indexer, head);
      const after = await gql<{ run: { status: string; stages: { outputRef: string }[] } }>(`{ run(id: "14") { status stages { outputRef } } }`);
      expect(after.run).to.deep.equal({ status: "COMPLETED", stages: [{ outputRef: swarmRef("output 14") }] });
      await expectNothing(otherRun);
    });
  });
}

/** The stream delivers nothing within a short wait (its filter let nothing through). */
async function expectNothing(stream: SseSubscription): Promise<void> {
  let message: unknown;
  try {
    message = await stream.next(500);
  } catch {
    return;
  }
  throw new Error(`expected no message, got ${JSON.stringify(message)}`);
}
