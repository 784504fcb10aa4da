import { expect } from "chai";
import { demoStack, runDemo, type DemoStack } from "../support/demo-stack";
import { freePort } from "../support/hardhat-node";

/**
 * `npm run demo` as an end-to-end test: a stack of the test's own (scripts/start.ts on free ports),
 * the demo run against it as a user runs it, and its exit code and chapters checked. The browser
 * tests (test/web) look at the same stack afterwards.
 */
describe("npm run demo (end to end, against a stack the test starts)", function () {
  this.timeout(900_000);
  let stack: DemoStack;

  before(async function () {
    stack = await demoStack();
    console.log(`      the demo took ${(stack.demo.ms / 1000).toFixed(1)} s`);
  });

  it("walks every chapter of the story and exits 0", function () {
    const { code, output } = stack.demo;
    expect(code, output).to.equal(0);
    const chapters = output.match(/^━━ \d+\/\d+ .+$/gm) ?? [];
    const proven = output.match(/^✔ .+$/gm) ?? [];
    expect(chapters, output).to.have.length(9);
    expect(proven, output).to.have.length(chapters.length);
    expect(output).to.contain("all 9 chapters gave the expected result");
  });

  it("shows what each chapter proves with its evidence: the run's output, the royalties, the bots, the decoded message", function () {
    const { output } = stack.demo;
    expect(output).to.match(/output\/hello\.txt of run \d+: Hello, world!/);
    // Royalties reach both ancestors of the fork of a fork, as previewed.
    expect(output).to.match(/ancestor 1 \(pod \d+\): 0x[0-9a-fA-F]{40} was previewed ([0-9.]+) and received \1/);
    expect(output).to.match(/ancestor 2 \(pod \d+\): 0x[0-9a-fA-F]{40} was previewed ([0-9.]+) and received \1/);
    expect(output).to.match(/the courier posted message \d+: new pod \d+ "scouted-/);
    expect(output).to.contain("HELLO FROM THE DEMO");
    expect(output).to.match(/lineage of pod \d+: encore-\S+ \(#\d+\) ← hello-|lineage of pod \d+: hello-\S+ \(#\d+\) ← remix-|lineage of pod \d+: remix-\S+ \(#\d+\) ← hello-/);
  });

  it("exits 1 and names the failed chapter when a step does not give the expected result (Swarm unreachable)", async function () {
    const deadSwarm = `http://127.0.0.1:${await freePort()}`;
    const failed = await runDemo({ ...stack, env: { ...stack.env, BEE_URL: deadSwarm } }, 180_000);
    expect(failed.code, failed.output).to.equal(1);
    expect(failed.output).to.contain("━━ 1/9 Alice scaffolds a pod");
    expect(failed.output).to.match(/✘ demo failed: .+/);
    expect(failed.output).not.to.match(/^✔ /m);
  });

  it("exits 2 with what to do when no stack answers", async function () {
    const noChain = `http://127.0.0.1:${await freePort()}`;
    const failed = await runDemo({ ...stack, env: { ...stack.env, LOCAL_RPC_URL: noChain } }, 60_000);
    expect(failed.code, failed.output).to.equal(2);
    expect(failed.output).to.contain(`No chain answers at ${noChain}. Start the stack first: npm start`);
  });
});
