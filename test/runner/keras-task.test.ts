import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ethers } from "ethers";
import { quoteTask, readRun, requestTask, stagesOfTaskPods } from "../../services/market/runs";
import { DEV_RUNNER_ACCOUNT } from "../../services/runner";
import { makeZip } from "../support/pods";
import { RUN_PRICE, RUNNER_FEE, RunnerWorld, STATUS } from "../support/runner";

/**
 * The Sovr keras task (test/fixtures/sovr/tasks/keras): five Keras models as pods, chained. Its pods
 * live on the public Swarm, out of reach here, so they are rebuilt from the fixture recipes as
 * equivalent small pods: the same names, commands and payload layout (images.zip unpacked into
 * payload/external/images), a script that "classifies" by listing the images instead of loading a
 * model. The task recipe names them, as the fixture does, by the Swarm references of their
 * published versions, and runs as one task on one runner through the market service.
 */
const FIXTURES = join(__dirname, "..", "fixtures", "sovr");
const MODELS = ["xception", "resnet152v2", "inception_resnet_v2", "densenet201", "nasnet_large"];

/** Lists the images as predictions, and carries forward the predictions of earlier stages (they arrive in payload/external). */
const SCRIPT = `import argparse, os, shutil
parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--images", required=True)
args = parser.parse_args()
os.makedirs("/golem/output", exist_ok=True)
external = os.path.dirname(args.images.rstrip("/"))
for name in sorted(os.listdir(external)):
    if name.startswith("predictions-"):
        shutil.copy(os.path.join(external, name), "/golem/output/" + name)
with open("/golem/output/predictions-" + args.model + ".txt", "w") as out:
    for image in sorted(os.listdir(args.images)):
        out.write(args.model + " " + image + "\\n")
print("classified with", args.model)
`;

describe("runner service: the keras task of the Sovr fixtures, rebuilt as small pods, runs as a task", function () {
  this.timeout(240_000);
  let world: RunnerWorld;

  before(async function () {
    if (!existsSync("/usr/bin/bwrap")) this.skip();
    world = await RunnerWorld.start();
  });

  after(async function () {
    await world?.close();
  });

  it("runs the five model pods in the task's order on one runner; the last stage's output holds every stage's predictions", async function () {
    const images = await world.swarm.client.uploadCollection([
      { path: "images.zip", data: makeZip({ "images/cat.jpg": { data: Buffer.from("cat") }, "images/dog.jpg": { data: Buffer.from("dog") } }) },
    ]);
    const task = JSON.parse(readFileSync(join(FIXTURES, "tasks", "keras", "recipe.json"), "utf8")) as { name: string; pods: string[] };
    expect(task.pods).to.have.length(MODELS.length);

    const refs: string[] = [];
    for (const model of MODELS) {
      const recipe = JSON.parse(readFileSync(join(FIXTURES, "pods", "ml", model, "recipe.json"), "utf8")) as { name: string; golem: { exec: string; payload: { ref: string; data: string }[] } };
      expect(recipe.golem.exec).to.contain(`--model ${model}`);
      const golem = { ...recipe.golem, payload: recipe.golem.payload.map((payload) => ({ ...payload, ref: images })) };
      const podId = await world.publish(recipe.name, { "script/script.py": SCRIPT }, golem);
      const pod = await world.alice.registry.version(podId, 1);
      refs.push(pod.manifestRef.slice(2));
    }

    const stages = await stagesOfTaskPods(world.alice, refs);
    const quoted = await quoteTask(world.alice, stages, { maxPayment: BigInt(MODELS.length) * (RUN_PRICE + RUNNER_FEE) });
    const requested = await requestTask(world.alice, quoted);
    await world.runner(DEV_RUNNER_ACCOUNT, []);
    expect(await world.ended(requested.runId, 120_000)).to.equal(STATUS.Completed);

    const run = await readRun(world.alice, requested.runId);
    expect(run.stages.map((stage) => stage.podId)).to.deep.equal(stages.map((stage) => stage.podId));
    const last = run.stages[run.stages.length - 1];
    const files = await world.collection(last.outputRef!);
    expect(Object.keys(files).filter((path) => path.startsWith("output/")).sort()).to.deep.equal(MODELS.map((model) => `output/predictions-${model}.txt`).sort());
    expect(files["output/predictions-xception.txt"]).to.equal("xception cat.jpg\nxception dog.jpg\n");
    expect(files["logs/stdout.txt"]).to.equal("classified with nasnet_large\n");
    expect(ethers.isHexString(`0x${last.logRef}`, 32)).to.equal(true);
  });
});
