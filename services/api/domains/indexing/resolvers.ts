import type { ApiResolvers } from "../types";
import { readMeta } from "./meta";

export const indexingResolvers: ApiResolvers = {
  Query: {
    _meta: (_root, _args, ctx) => readMeta(ctx),
  },
};
