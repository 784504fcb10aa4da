import { expect } from "chai";
import { benchChildNodeFlags, indexerScript, parseIndexerScript } from "../../scripts/lib/indexer-script";

describe("the indexer script's words (package.json's `indexer`, read by npm start and the benches)", () => {
  it("splits environment assignments, Node flags and the entry point", () => {
    const parsed = parseIndexerScript("MALLOC_ARENA_MAX=1 FOO_BAR=a=b node --max-old-space-size=192 --expose-gc dist/scripts/indexer.js", "/repo");
    expect(parsed).to.deep.equal({
      environment: { MALLOC_ARENA_MAX: "1", FOO_BAR: "a=b" },
      nodeFlags: ["--max-old-space-size=192", "--expose-gc"],
      entry: "/repo/dist/scripts/indexer.js",
    });
  });

  it("refuses a line it cannot place, naming the offending word", () => {
    expect(() => parseIndexerScript("ts-node scripts/indexer.ts")).to.throw(/has no `node` command/);
    expect(() => parseIndexerScript("nice node dist/scripts/indexer.js")).to.throw(/"nice" before `node` is not a VAR=value assignment/);
    expect(() => parseIndexerScript("node --max-old-space-size=192")).to.throw(/exactly one \.js entry point/);
    expect(() => parseIndexerScript("node a.js b.js")).to.throw(/exactly one \.js entry point/);
  });

  it("reads this project's package.json: the compiled service with bounded heap flags", () => {
    const script = indexerScript();
    expect(script.entry).to.match(/dist\/scripts\/indexer\.js$/);
    expect(script.nodeFlags.some((flag) => flag.startsWith("--max-old-space-size="))).to.equal(true);
  });

  it("gives the benches' children the script's flags, or BENCH_CHILD_NODE_FLAGS when set", () => {
    const saved = process.env.BENCH_CHILD_NODE_FLAGS;
    try {
      delete process.env.BENCH_CHILD_NODE_FLAGS;
      expect(benchChildNodeFlags()).to.deep.equal(indexerScript().nodeFlags);
      process.env.BENCH_CHILD_NODE_FLAGS = " --cpu-prof  --max-old-space-size=256 ";
      expect(benchChildNodeFlags()).to.deep.equal(["--cpu-prof", "--max-old-space-size=256"]);
      process.env.BENCH_CHILD_NODE_FLAGS = "";
      expect(benchChildNodeFlags()).to.deep.equal([]);
    } finally {
      if (saved === undefined) delete process.env.BENCH_CHILD_NODE_FLAGS;
      else process.env.BENCH_CHILD_NODE_FLAGS = saved;
    }
  });
});
