import type { Queryable } from "../../../services/database";
import { address, insertPod, setCursor, ZERO } from "./fixtures";

/** A small, varied set of pods; tests compute their expectations from it in plain TypeScript. */
export const TOKEN = address(0x50);

const descriptions: Record<number, string> = {
  3: "Trains a neural network on images",
  4: "Image classifier built with neural nets",
  8: "Weather data pipeline",
  11: "Neural style transfer",
};
const parents: Record<number, number> = { 5: 1, 6: 1, 7: 5, 9: 7, 10: 2 };

export interface DatasetPod {
  id: number;
  owner: string;
  name: string;
  visibility: "PUBLIC" | "PRIVATE";
  versionCount: number;
  listed: boolean;
  price: string | null;
  token: string | null;
  parent: number | null;
  licenseSales: number;
  description: string | null;
}

export const DATASET: DatasetPod[] = Array.from({ length: 12 }, (_, index) => {
  const id = index + 1;
  const listed = id % 2 === 0;
  return {
    id,
    owner: id % 2 === 1 ? address(1) : address(2),
    name: id <= 4 ? `alpha-${id}` : id <= 8 ? `beta-${id}` : `Gamma_${id}`,
    visibility: id % 3 === 0 ? "PRIVATE" : "PUBLIC",
    versionCount: (id % 4) + 1,
    listed,
    price: listed ? String(id * 100) : null,
    token: listed ? (id % 4 === 0 ? ZERO : TOKEN) : null,
    parent: parents[id] ?? null,
    licenseSales: id % 5,
    description: descriptions[id] ?? null,
  };
});

export async function seedDataset(db: Queryable): Promise<void> {
  for (const pod of DATASET) {
    await insertPod(db, { ...pod, block: pod.id * 2 });
  }
  await setCursor(db, 30);
}
