import { expect } from "chai";
import type { Database } from "../../services/database";
import { startTestApi, type GraphQLResponse, type TestApi } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { seedDataset } from "../support/api/dataset";
import { spyDatabase } from "../support/api/spy-database";

/** Every error the API answers carries `extensions.code` (docs/graphql.md, Errors). */

function only(response: GraphQLResponse): { message: string; extensions: Record<string, unknown> } {
  expect(response.errors, JSON.stringify(response)).to.have.length.greaterThan(0);
  for (const error of response.errors!) expect(error.extensions?.code, JSON.stringify(error)).to.be.a("string");
  const [error] = response.errors!;
  return { message: error.message, extensions: error.extensions! };
}

for (const backend of testBackends()) {
  describe(`GraphQL errors (${backend.name})`, function () {
    let db: Database;
    let dispose: () => Promise<void>;
    let api: TestApi;
    before(async () => {
      ({ db, dispose } = await backend.open());
      await seedDataset(db);
      api = await startTestApi(db);
    });
    after(async () => {
      await api?.close();
      await dispose?.();
    });

    it("parse and validation errors: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED", async () => {
      expect(only(await api.query("{ pods {")).extensions.code).to.equal("GRAPHQL_PARSE_FAILED");
      expect(only(await api.query("{ nope }")).extensions.code).to.equal("GRAPHQL_VALIDATION_FAILED");
    });

    it("bad arguments and variables: BAD_USER_INPUT naming them", async () => {
      const literal = only(await api.query(`{ pod(id: "x") { id } }`));
      expect(literal.extensions).to.include({ code: "BAD_USER_INPUT", argument: "id" });
      const variable = only(await api.query(`query($id: BigInt!) { pod(id: $id) { id } }`, { id: "x" }));
      expect(variable.extensions).to.include({ code: "BAD_USER_INPUT", variable: "id" });
      expect(variable.message).to.match(/^Variable "\$id"/);
      const missing = only(await api.query(`query($id: BigInt!) { pod(id: $id) { id } }`));
      expect(missing.extensions).to.include({ code: "BAD_USER_INPUT", variable: "id" });
      const resolver = only(await api.query(`{ search(text: "  ") { totalCount } }`));
      expect(resolver.extensions).to.include({ code: "BAD_USER_INPUT", argument: "text" });
      const cursor = only(await api.query(`{ pods(after: "garbage") { totalCount } }`));
      expect(cursor.extensions).to.include({ code: "BAD_USER_INPUT", argument: "after" });
    });

    it("an id above uint256 is 'too large', as a literal and as a variable", async () => {
      for (const id of ["9".repeat(80), (1n << 256n).toString()]) {
        const literal = only(await api.query(`{ pod(id: "${id}") { id } }`));
        expect(literal.message).to.include("too large").and.not.include("non-negative decimal");
        expect(literal.extensions).to.include({ code: "BAD_USER_INPUT", argument: "id" });
        const variable = only(await api.query(`query($id: BigInt!) { pod(id: $id) { id } }`, { id }));
        expect(variable.message).to.include("too large").and.not.include("non-negative decimal");
        expect(variable.extensions.code).to.equal("BAD_USER_INPUT");
      }
      const max = ((1n << 256n) - 1n).toString();
      expect((await api.data<{ pod: unknown }>(`{ pod(id: "${max}") { id } }`)).pod).to.equal(null);
      expect(only(await api.query(`{ pod(id: "-1") { id } }`)).message).to.include("non-negative decimal");
    });

    it("a too-large first is the argument error naming first, its value and the maximum, not a cost error", async () => {
      const literal = only(await api.query(`{ pods(first: 5000) { items { id name owner } } }`));
      expect(literal.extensions).to.include({ code: "BAD_USER_INPUT", argument: "first" });
      expect(literal.message).to.equal('Argument "first" must be between 0 and 1000, got 5000');
      const variable = only(await api.query(`query($n: Int) { pods(first: $n) { items { id name owner } } }`, { n: 100_000 }));
      expect(variable.extensions).to.include({ code: "BAD_USER_INPUT", argument: "first" });
      expect(variable.message).to.equal('Argument "first" must be between 0 and 1000, got 100000');
      const nested = only(await api.query(`{ pods(first: 10) { items { versions(first: 1001) { items { version } } } } }`));
      expect(nested.message).to.include('"first"').and.include("1001").and.include("1000");
      const search = only(await api.query(`query($n: Int) { search(text: "alpha", first: $n) { totalCount } }`, { n: 2000 }));
      expect(search.extensions).to.include({ code: "BAD_USER_INPUT", argument: "first" });
    });

    it("guards: COST_LIMIT, DEPTH_LIMIT, ALIAS_LIMIT, TOKEN_LIMIT, DIRECTIVE_LIMIT", async () => {
      const cost = only(await api.query(`{ pods(first: 1000) { items { id versions(first: 1000) { items { version } } } } }`));
      expect(cost.extensions).to.include({ code: "COST_LIMIT" });
      const depth = only(await api.query(`{ pods { items { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { id } } } } } } } } } } } } }`));
      expect(depth.extensions.code).to.equal("DEPTH_LIMIT");
      expect(depth.message).to.match(/^Query depth limit of 10 exceeded/);
      const aliases = only(await api.query(`{ ${Array.from({ length: 20 }, (_, i) => `a${i}: _meta { chainId }`).join(" ")} }`));
      expect(aliases.extensions.code).to.equal("ALIAS_LIMIT");
      const tokens = only(await api.query(`{ ${Array.from({ length: 700 }, () => "_meta { chainId }").join(" ")} }`));
      expect(tokens.extensions.code).to.equal("TOKEN_LIMIT");
      const directives = only(await api.query(`{ _meta ${Array.from({ length: 25 }, () => "@include(if: true)").join(" ")} { chainId } }`));
      expect(directives.extensions.code).to.equal("DIRECTIVE_LIMIT");
    });

    it("an unexpected error is masked as INTERNAL_SERVER_ERROR, its detail not sent", async () => {
      const spy = spyDatabase(db);
      const broken = await startTestApi(spy, { dev: false });
      try {
        spy.betweenStatements = () => Promise.reject(new Error("secret detail of the database"));
        const response = await broken.query(`{ pods(first: 1) { items { id } totalCount } }`);
        const error = only(response);
        expect(error.extensions.code).to.equal("INTERNAL_SERVER_ERROR");
        expect(JSON.stringify(response)).to.not.include("secret detail");
      } finally {
        await broken.close();
      }
    });
  });
}
