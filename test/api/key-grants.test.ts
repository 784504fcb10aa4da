import { expect } from "chai";
import type { Database } from "../../services/database";
import type { Indexer } from "../../services/indexer";
import { createApiServer, type RunningApi } from "../../services/api/http/server";
import { graphQLResponse } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { latestBlock, startTestIndexer, waitForHead } from "../support/indexer/harness";
import { deployRunMarketChain, mined, swarmRef, type RunMarketChain } from "../support/indexer/run-market-chain";

interface Grant {
  podId: string;
  version: number;
  runner: string;
  sealedKeyRef: string;
  active: boolean;
  grantedBy: string;
  block: number;
  revokedBy: string | null;
  pod: { name: string };
}

/**
 * The key grants domain over what the real indexer made of the real PodKeyGrants: alice's private
 * pod "secret" (two versions) granted to runners, revoked, granted again, and a reorg that drops a
 * revocation; `Pod.keyGrants` and `Runner.grantedPods` read back on PGlite and PostgreSQL.
 */
for (const backend of testBackends()) {
  describe(`GraphQL: key grants of private pods (${backend.name})`, function () {
    this.timeout(180_000);
    let node: TestHardhatNode;
    let chain: RunMarketChain;
    let db: Database;
    let dispose: () => Promise<void>;
    let indexer: Indexer;
    let api: RunningApi;
    let secret: bigint;
    const head = () => latestBlock(chain.provider);
    const lower = (signer: { address: string }) => signer.address.toLowerCase();
    const GRANT_FIELDS = "podId version runner sealedKeyRef active grantedBy block revokedBy pod { name }";

    async function gql<T>(text: string, variables?: Record<string, unknown>): Promise<T> {
      const response = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: text, variables }) });
      const result = graphQLResponse<T>(await response.json());
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!;
    }
    const podGrants = async (active?: boolean) =>
      (await gql<{ pod: { keyGrants: Grant[] } }>(`query ($id: BigInt!, $active: Boolean) { pod(id: $id) { keyGrants(active: $active) { ${GRANT_FIELDS} } } }`, { id: secret.toString(), active })).pod.keyGrants;
    const runnerPods = async (address: string) =>
      (await gql<{ runner: { grantedPods: Grant[] } | null }>(`query ($a: Address!) { runner(address: $a) { grantedPods { ${GRANT_FIELDS} } } }`, { a: address })).runner!.grantedPods;

    before(async () => {
      node = await startHardhatNode();
      chain = await deployRunMarketChain(node.url);
      const { registry, keyGrants, alice, runner1, runner2 } = chain;
      await mined(registry.connect(alice).publish("secret", swarmRef("secret v1"), 0, 0, 0, 0));
      secret = await registry.podIdOf(alice.address, "secret");
      await mined(registry.connect(alice).publishVersion(secret, swarmRef("secret v2")));
      await mined(keyGrants.connect(alice).grantKey(secret, 1, runner1.address, swarmRef("sealed 1/r1")));
      await mined(keyGrants.connect(alice).grantKey(secret, 2, runner1.address, swarmRef("sealed 2/r1")));
      await mined(keyGrants.connect(alice).grantKey(secret, 2, runner2.address, swarmRef("sealed 2/r2")));
      await mined(keyGrants.connect(alice).revokeKey(secret, 2, runner2.address));
      // Granted again with a new sealed key: the row is replaced, active.
      await mined(keyGrants.connect(alice).grantKey(secret, 1, runner1.address, swarmRef("resealed 1/r1")));
      ({ db, dispose } = await backend.open());
      indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db });
      await waitForHead(indexer, head);
      api = await createApiServer({ db, events: indexer.events, status: () => indexer.status(), dev: false }).listen("127.0.0.1", 0);
    });
    after(async () => {
      await api?.close();
      await indexer?.stop();
      await dispose?.();
      chain?.provider.destroy();
      await node?.stop();
    });

    it("Pod.keyGrants lists every grant by version and runner, with its sealed key, who granted it, and whether it is in force", async () => {
      const { alice, runner1, runner2 } = chain;
      const grants = await podGrants();
      expect(grants.map((grant) => [grant.version, grant.runner, grant.sealedKeyRef, grant.active, grant.grantedBy, grant.revokedBy, grant.pod.name])).to.deep.equal([
        [1, lower(runner1), swarmRef("resealed 1/r1"), true, lower(alice), null, "secret"],
        [2, lower(runner1), swarmRef("sealed 2/r1"), true, lower(alice), null, "secret"],
        [2, lower(runner2), swarmRef("sealed 2/r2"), false, lower(alice), lower(alice), "secret"],
      ]);
      expect(grants.every((grant) => grant.podId === secret.toString() && grant.block > 0)).to.equal(true);
      expect((await podGrants(true)).map((grant) => [grant.version, grant.runner])).to.deep.equal([
        [1, lower(runner1)],
        [2, lower(runner1)],
      ]);
      expect((await podGrants(false)).map((grant) => grant.runner)).to.deep.equal([lower(runner2)]);
      // A public pod has none.
      expect((await gql<{ pod: { keyGrants: Grant[] } }>(`{ pod(id: "1") { name keyGrants { runner } } }`)).pod.keyGrants).to.deep.equal([]);
    });

    it("Runner.grantedPods lists the private pod versions a runner may run (grants in force only)", async () => {
      const { runner1, runner2, runner3 } = chain;
      expect((await runnerPods(runner1.address)).map((grant) => [grant.pod.name, grant.version])).to.deep.equal([
        ["secret", 1],
        ["secret", 2],
      ]);
      expect(await runnerPods(runner2.address)).to.deep.equal([]);
      expect(await runnerPods(runner3.address)).to.deep.equal([]);
    });

    it("a reorg that drops a revocation leaves the grant in force", async () => {
      const { keyGrants, alice, runner1, runner2 } = chain;
      const snapshot = (await chain.provider.send("evm_snapshot", [])) as string;
      await mined(keyGrants.connect(alice).revokeKey(secret, 2, runner1.address));
      await waitForHead(indexer, head);
      expect((await runnerPods(runner1.address)).map((grant) => grant.version)).to.deep.equal([1]);
      expect(await chain.provider.send("evm_revert", [snapshot])).to.equal(true);
      // The new branch: two blocks, so it is longer; runner2 is granted version 1 instead.
      await mined(keyGrants.connect(alice).grantKey(secret, 1, runner2.address, swarmRef("sealed 1/r2")));
      await chain.provider.send("evm_mine", []);
      await waitForHead(indexer, head);
      expect((await runnerPods(runner1.address)).map((grant) => grant.version)).to.deep.equal([1, 2]);
      expect((await runnerPods(runner2.address)).map((grant) => [grant.version, grant.sealedKeyRef])).to.deep.equal([[1, swarmRef("sealed 1/r2")]]);
      expect(indexer.status().hasIndexingErrors).to.equal(false);
    });
  });
}
