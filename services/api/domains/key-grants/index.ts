import type { ApiDomain } from "../types";
import { keyGrantsResolvers } from "./resolvers";
import { keyGrantsStatements } from "./statements";

/** Key grants: PodKeyGrants' runners chosen by private pods' owners, on pods and on runners. */
export const keyGrantsDomain: ApiDomain = {
  name: "key-grants",
  resolvers: [keyGrantsResolvers],
  statements: keyGrantsStatements,
  whereInputs: {},
};
