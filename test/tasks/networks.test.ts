import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const hardhatCli = join(require.resolve("hardhat/package.json"), "..", "internal", "cli", "bootstrap.js");

/** Runs the real command line with a controlled environment (no .env values leak in). */
function hardhat(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AMOY_RPC_URL|POLYGON_RPC_URL|DEPLOYER_PRIVATE_KEY|HARDHAT_NETWORK)$/.test(name)),
  );
  const result = spawnSync(process.execPath, [hardhatCli, ...args], { env: { ...clean, ...env }, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("remote networks (amoy, polygon) from the environment", function () {
  this.timeout(120_000);

  it("names the missing RPC variable, in one line, only when that network is used", function () {
    const amoy = hardhat(["--network", "amoy", "pod:show", "--pod", "1"], {});
    expect(amoy.status).to.equal(1);
    expect(amoy.output).to.contain("AMOY_RPC_URL is not set: it is required for the amoy network");
    expect(amoy.output).to.not.match(/\n\s+at /);

    const polygon = hardhat(["--network", "polygon", "pod:show", "--pod", "1"], { AMOY_RPC_URL: "http://127.0.0.1:9" });
    expect(polygon.status).to.equal(1);
    expect(polygon.output).to.contain("POLYGON_RPC_URL is not set: it is required for the polygon network");
  });

  it("names a missing or malformed deployer key", function () {
    const missing = hardhat(["--network", "amoy", "pod:show", "--pod", "1"], { AMOY_RPC_URL: "http://127.0.0.1:9" });
    expect(missing.output).to.contain("DEPLOYER_PRIVATE_KEY is not set");
    const malformed = hardhat(["--network", "amoy", "pod:show", "--pod", "1"], { AMOY_RPC_URL: "http://127.0.0.1:9", DEPLOYER_PRIVATE_KEY: "0x12" });
    expect(malformed.status).to.equal(1);
    expect(malformed.output).to.contain("DEPLOYER_PRIVATE_KEY must be 32 bytes of hex");
  });

  it("does not ask for remote variables on the local networks", function () {
    const local = hardhat(["pod:publish", "--name", "x", "--ref", "xyz"], {});
    expect(local.status).to.equal(2);
    expect(local.output).to.contain('--ref: expected a 64-hex Swarm reference, got "xyz"');
    expect(local.output).to.not.contain("RPC_URL");
  });
});
