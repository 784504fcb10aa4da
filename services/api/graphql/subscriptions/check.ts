import type { GraphQLSchema } from "graphql";
import { SUBSCRIPTION_NAMES } from "../../subscriptions";

/**
 * Start-up check: the SDL's `Subscription` fields are exactly SUBSCRIPTIONS
 * (services/api/subscriptions.ts). A subscription missing from the list would not be fed on the
 * cluster's workers, whose events come only from the list.
 */
export function checkSubscriptions(schema: GraphQLSchema): void {
  const inSchema = Object.keys(schema.getSubscriptionType()?.getFields() ?? {});
  const problems = [
    ...inSchema.filter((name) => !(SUBSCRIPTION_NAMES as readonly string[]).includes(name)).map((name) => `Subscription.${name} is not in SUBSCRIPTIONS`),
    ...SUBSCRIPTION_NAMES.filter((name) => !inSchema.includes(name)).map((name) => `SUBSCRIPTIONS.${name} is not a field of Subscription`),
  ];
  if (problems.length) throw new Error(`graphql/schema.graphql and services/api/subscriptions.ts disagree:\n  ${problems.join("\n  ")}`);
}
