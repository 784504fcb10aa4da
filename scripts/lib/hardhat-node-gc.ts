/**
 * Preloaded into the Hardhat node that bench:indexer floods (`NODE_OPTIONS=--expose-gc --require
 * <this file, compiled>`; see `hardhatNodeGcEnv`): runs a full V8 collection whenever the node's RSS
 * has grown by GC_STEP_MB since the lowest RSS seen after the previous one.
 *
 * Why: EDR, Hardhat's Rust EVM, answers every JSON-RPC request with a small JavaScript object that
 * owns the transaction's execution trace in native memory; the trace is freed only when V8 collects
 * that object. V8 sees a heap of ~50 MB and no reason to collect, so a flood of event-heavy
 * transactions piled up dead traces: the node passed 20 GB at 1M events and was OOM-killed. Measured
 * on a 400k-event flood (assembly EventFlood): 2.1 GB and 6.2 s without this, 1.2 GB and 3.9 s with
 * it; at 1M events 4.7 GB without, 1.7 GB with. The RSS check costs nothing measurable; a collection
 * of the node's heap takes tens of ms and happens only while the RSS grows (mostly the flood).
 * HARDHAT_NODE_GC_STEP_MB in the node's environment changes the step.
 */
const GC_STEP_MB = Number(process.env.HARDHAT_NODE_GC_STEP_MB ?? 256);
const CHECK_EVERY_MS = 200;

const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) {
  // Without --expose-gc there is nothing to call: say so in the node's log instead of failing it.
  console.error("hardhat-node-gc: gc() is not exposed (start the node with --expose-gc); RSS-driven collection is off");
} else if (!Number.isFinite(GC_STEP_MB) || GC_STEP_MB <= 0) {
  console.error(`hardhat-node-gc: HARDHAT_NODE_GC_STEP_MB must be a positive number of MB, got ${process.env.HARDHAT_NODE_GC_STEP_MB}`);
} else {
  const step = GC_STEP_MB * 1024 * 1024;
  let low = process.memoryUsage.rss();
  setInterval(() => {
    const rss = process.memoryUsage.rss();
    // The native memory is released by finalizers after the collection: follow the RSS down.
    low = Math.min(low, rss);
    if (rss - low >= step) {
      collect();
      low = rss;
    }
  }, CHECK_EVERY_MS).unref();
}
