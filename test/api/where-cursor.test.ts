import { expect } from "chai";
import fc from "fast-check";
import { buildSchema, type GraphQLObjectType } from "graphql";
import { readFileSync } from "node:fs";
import { decodeCursor, encodeCursor } from "../../services/api/graphql/cursor";
import { SCHEMA_PATH } from "../../services/api/graphql/schema";
import { checkWhereInputs } from "../../services/api/graphql/where-inputs";
import { POD_FIELD_COLUMNS, podColumnsFor } from "../../services/api/domains/pods/columns";
import { POD_FILTERS } from "../../services/api/domains/pods/lists";
import { SqlParams } from "../../services/api/graphql/sql/params";
import { compileWhere, splitFilterName } from "../../services/api/graphql/sql/where";
import { generate } from "../../scripts/graphql-types";

describe("where compiler, cursors and schema checks (unit)", () => {
  it("splits field names into base and suffix", () => {
    expect(splitFilterName("name_contains_nocase")).to.deep.equal({ base: "name", op: "contains_nocase" });
    expect(splitFilterName("listingPrice_gte")).to.deep.equal({ base: "listingPrice", op: "gte" });
    expect(splitFilterName("id_in")).to.deep.equal({ base: "id", op: "in" });
    expect(splitFilterName("listed_not")).to.deep.equal({ base: "listed", op: "not" });
    expect(splitFilterName("owner")).to.deep.equal({ base: "owner", op: "eq" });
  });

  it("never puts a value into the SQL text, whatever the value", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.constantFrom("name", "name_not", "name_contains_nocase", "name_starts_with", "name_gt", "owner"), (value, field) => {
        const params = new SqlParams();
        const sql = compileWhere({ [field]: value, OR: [{ name_in: [value] }, { AND: [{ description_contains_nocase: value }] }] }, POD_FILTERS, params)!;
        // The SQL is drawn from a fixed vocabulary: placeholders, column names, operators.
        expect(sql).to.match(/^[\sa-z_()$0-9:=<>!%[\]A-Z,]*$/);
        expect(params.values.length).to.equal((sql.match(/\$\d+/g) ?? []).length);
      }),
      { numRuns: 300 },
    );
  });

  it("binds each value with its column's type", () => {
    const params = new SqlParams();
    const sql = compileWhere({ id_gt: "5", versionCount_in: [1, 2], listed: true, owner: "0xab" }, POD_FILTERS, params);
    expect(sql).to.equal("id > $1::numeric AND version_count = ANY($2::integer[]) AND listed = $3::boolean AND owner = $4::text");
    expect(params.values).to.deep.equal(["5", [1, 2], true, "0xab"]);
  });

  it("escapes LIKE wildcards in contains and starts_with", () => {
    const params = new SqlParams();
    compileWhere({ name_contains_nocase: "50%_off\\", name_starts_with: "a_" }, POD_FILTERS, params);
    expect(params.values).to.deep.equal(["%50\\%\\_off\\\\%", "a\\_%"]);
  });

  it("rejects unknown fields, null for range suffixes and runaway nesting, naming the path", () => {
    expect(() => compileWhere({ colour: "red" }, POD_FILTERS, new SqlParams())).to.throw(/"where.colour"/);
    expect(() => compileWhere({ id_gt: null }, POD_FILTERS, new SqlParams())).to.throw(/"where.id_gt" cannot be null/);
    let deep: object = { id: "1" };
    for (let i = 0; i < 12; i++) deep = { AND: [deep] };
    expect(() => compileWhere(deep, POD_FILTERS, new SqlParams())).to.throw(/deeper than/);
  });

  it("cursors round-trip and refuse another order or tampering", () => {
    const cursor = encodeCursor({ order: "pods:id:asc", key: ["42"] });
    expect(cursor).to.match(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, "pods:id:asc", 1)).to.deep.equal(["42"]);
    expect(() => decodeCursor(cursor, "pods:name:asc", 2)).to.throw(/"after" was made for another order/);
    expect(() => decodeCursor("%%%", "pods:id:asc", 1)).to.throw(/"after" is not a valid cursor/);
    expect(() => decodeCursor(Buffer.from('["pods:id:asc",{"x":1}]').toString("base64url"), "pods:id:asc", 1)).to.throw(/"after"/);
  });

  it("every where field of the SDL has a column, and a missing one is caught", () => {
    const sdl = readFileSync(SCHEMA_PATH, "utf8");
    expect(() => checkWhereInputs(buildSchema(sdl))).to.not.throw();
    const broken = sdl.replace("input PodWhere {", "input PodWhere {\n  colour: String");
    expect(() => checkWhereInputs(buildSchema(broken))).to.throw(/PodWhere.colour/);
  });

  it("every Pod field has its columns declared, so pages never fall back to selecting everything", () => {
    const pod = buildSchema(readFileSync(SCHEMA_PATH, "utf8")).getType("Pod") as GraphQLObjectType;
    expect(Object.keys(pod.getFields()).sort()).to.deep.equal(Object.keys(POD_FIELD_COLUMNS).filter((f) => f !== "__typename").sort());
    expect(podColumnsFor(new Set(["name", "parent"]))).to.deep.equal({ sql: `pods.id::text AS id, name, parent_pod_id::text AS "forkedFrom"`, complete: false });
    expect(podColumnsFor(new Set(["name", "someFutureField"])).complete).to.equal(true);
  });

  it("the type generator covers every object type, union and argument of the SDL", () => {
    const code = generate(buildSchema(readFileSync(SCHEMA_PATH, "utf8")));
    for (const name of ["Pod", "PodList", "Account", "Lineage", "Meta", "Rollback"]) expect(code).to.include(`  ${name}?: {`);
    expect(code).to.include("export interface QueryPodsArgs {");
    expect(code).to.include(`PodPublishedUpdate?: { __resolveType: (value: M["PodPublished"] | M["Rollback"]) => "PodPublished" | "Rollback" };`);
    expect(code).to.match(/export interface PodWhere \{[^}]*name_contains_nocase\?: string \| null;/);
  });
});
