import { intInRange } from "../../graphql/arguments";
import type { ApiContext } from "../../graphql/context";
import { POD_COLUMNS } from "./columns";
import type { LineageModel, LineageNodeModel, PodRow } from "./models";

const MAX_LINEAGE_DEPTH = 100;
const MAX_LINEAGE_DESCENDANTS = 10_000;

/**
 * Ancestors (up the `parent_pod_id` chain) and the descendants tree of a pod, both bounded:
 * `maxDepth` levels each way and `maxDescendants` nodes, with `truncated` telling the client
 * that there is more.
 */
export async function readLineage(ctx: ApiContext, podId: string, maxDepth: number, maxDescendants: number): Promise<LineageModel | null> {
  intInRange("maxDepth", maxDepth, 1, MAX_LINEAGE_DEPTH);
  intInRange("maxDescendants", maxDescendants, 0, MAX_LINEAGE_DESCENDANTS);
  const pod = await ctx.pods.load(podId);
  if (!pod) return null;
  const tx = await ctx.snapshot.get();

  const ancestors = await tx.query<PodRow & { _depth: number }>(
    `WITH RECURSIVE up(id, parent, depth) AS (
       SELECT id, parent_pod_id, 0 FROM pods WHERE id = $1::numeric
       UNION ALL
       SELECT p.id, p.parent_pod_id, up.depth + 1 FROM pods p JOIN up ON p.id = up.parent WHERE up.depth < $2::integer
     )
     SELECT ${POD_COLUMNS}, up.depth AS "_depth" FROM up JOIN pods USING (id) WHERE up.depth > 0 ORDER BY up.depth`,
    [podId, maxDepth],
  );
  const descendantRows = await tx.query<PodRow & { _depth: number }>(
    `WITH RECURSIVE down(id, depth) AS (
       SELECT id, 1 FROM pods WHERE parent_pod_id = $1::numeric
       UNION ALL
       SELECT p.id, down.depth + 1 FROM pods p JOIN down ON p.parent_pod_id = down.id WHERE down.depth < $2::integer
     )
     SELECT ${POD_COLUMNS}, down.depth AS "_depth" FROM down JOIN pods USING (id) ORDER BY down.depth, pods.id LIMIT $3::integer`,
    [podId, maxDepth, maxDescendants + 1],
  );

  const oldest = ancestors[ancestors.length - 1] ?? pod;
  let truncated = ancestors.length === maxDepth && oldest.forkedFrom !== null;
  const kept = descendantRows.slice(0, maxDescendants);
  if (descendantRows.length > maxDescendants) truncated = true;
  const deepest = kept.filter((row) => row._depth === maxDepth).map((row) => row.id);
  if (!truncated && deepest.length > 0) {
    const more = await tx.query(`SELECT 1 FROM pods WHERE parent_pod_id = ANY($1::numeric[]) LIMIT 1`, [deepest]);
    truncated = more.length > 0;
  }

  const nodes = new Map<string, LineageNodeModel>();
  const roots: LineageNodeModel[] = [];
  for (const { _depth, ...row } of kept) {
    ctx.pods.prime(row);
    const node: LineageNodeModel = { pod: row, depth: _depth, children: [] };
    nodes.set(row.id, node);
    // Rows come parents first (ordered by depth), so a parent is always already placed.
    const parent = row.forkedFrom === podId ? undefined : nodes.get(row.forkedFrom ?? "");
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return {
    pod,
    ancestors: ancestors.map(({ _depth, ...row }) => row),
    descendants: roots,
    truncated,
  };
}
