import { task, types } from "hardhat/config";
import "./lib/command-line";
import { pickSigner } from "./lib/contracts";
import { LureTaskError } from "./lib/errors";
import { print } from "./lib/output";

/**
 * `npx hardhat lure:deploy --network <name> [--yes]`: the deploy script as a task, so the
 * confirmation is a flag (`hardhat run` passes no flags to a script; there LURE_DEPLOY_YES=1 does
 * the same). Without --yes on amoy or polygon the plan is printed and nothing is sent.
 */
task("lure:deploy", "Deploys Lure's contracts (prints the plan first; on amoy/polygon sends only with --yes)")
  .addFlag("yes", "Send the planned transactions on amoy/polygon (dev chains never need it)")
  .addFlag("json", "Print JSON (the deployments file's content) after the plan")
  .addOptionalParam("account", "The account that deploys: an index or one of the network's addresses (default: the first; DEPLOYER_PRIVATE_KEY on amoy/polygon)", undefined, types.string)
  .setAction(async (args: { yes: boolean; json: boolean; account?: string }, hre) => {
    // Loaded when the task runs: the deploy script imports the compiled contracts' bindings.
    const { deployLure } = await import("../scripts/deploy");
    const deployer = args.account === undefined ? undefined : await pickSigner(hre, args.account);
    const result = await deployLure(hre, { yes: args.yes || undefined, verbose: !args.json, deployer });
    if (!result) {
      if (args.json) throw new LureTaskError(`nothing sent on ${hre.network.name}: add --yes to deploy`);
      return;
    }
    const contracts = Object.fromEntries(Object.entries(result.deployment.contracts).map(([name, entry]) => [name, entry.address]));
    print({ network: hre.network.name, chainId: result.deployment.chainId, reused: result.reused, ...contracts }, { json: args.json, title: result.reused ? "Already deployed" : "Deployed" });
  });
