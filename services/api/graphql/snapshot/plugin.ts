import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { logger } from "../../../log";
import type { ApiContext } from "../context";
import { statementsOf } from "./statements";

const log = logger("api");

/** Told when an operation's result is ready: its type (query, subscription…) and whether it failed. */
export type OperationDone = (type: string, failed: boolean) => void;

/**
 * Reads an operation of at most one SQL statement without a transaction, releases the snapshot of
 * the others as soon as their result is ready, and reports each operation (the server counts them).
 * One plugin for both, since every request passes through it.
 */
export function snapshotPlugin(onOperationDone: OperationDone): Plugin<ApiContext> {
  // Yoga caches parsed documents, so the same query text reuses its count.
  const oneStatement = new WeakMap<DocumentNode, Map<string, boolean>>();
  return {
    onExecute({ args }) {
      // Envelop types the execution arguments as `any`; yoga hands graphql-js's.
      const document = args.document as DocumentNode;
      const operationName = args.operationName as string | null | undefined;
      const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      const byName = oneStatement.get(document) ?? new Map<string, boolean>();
      oneStatement.set(document, byName);
      const name = operationName ?? "";
      let single = byName.get(name);
      if (single === undefined) {
        single = statementsOf(args.schema as GraphQLSchema, document, operationName) <= 1;
        byName.set(name, single);
      }
      if (single) args.contextValue.snapshot.readWithoutTransaction();
      return {
        onExecuteDone({ result }) {
          const failed = "errors" in result && Array.isArray(result.errors) && result.errors.length > 0;
          onOperationDone(operation?.operation ?? "unknown", failed);
          // The answer is complete: send it without waiting for the read-only COMMIT round trip.
          args.contextValue.snapshot.release().catch((error: unknown) => log.warn({ err: error }, "closing a read snapshot failed"));
        },
      };
    },
  };
}
