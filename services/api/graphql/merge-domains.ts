import type { ApiDomain, ApiResolvers } from "../domains/types";

/**
 * Merging what the domains declare (domains/index.ts) refuses anything two domains both declare:
 * one would otherwise silently replace the other.
 */
class Owners {
  private readonly byKey = new Map<string, string>();

  constructor(private readonly what: string) {}

  claim(key: string, domain: ApiDomain): void {
    const owner = this.byKey.get(key);
    if (owner !== undefined) throw new Error(`${this.what} ${key} is declared by two domains: ${owner} and ${domain.name}`);
    this.byKey.set(key, domain.name);
  }
}

/** One record of each domain merged into one. */
export function mergeDomainRecords<V>(domains: readonly ApiDomain[], what: string, pick: (domain: ApiDomain) => Readonly<Record<string, V>>): Record<string, V> {
  const owners = new Owners(what);
  const merged: Record<string, V> = {};
  for (const domain of domains) {
    for (const [key, value] of Object.entries(pick(domain))) {
      owners.claim(key, domain);
      merged[key] = value;
    }
  }
  return merged;
}

/** Every domain's resolver maps merged type by type: a domain may add fields to another's types. */
export function mergeDomainResolvers(domains: readonly ApiDomain[]): ApiResolvers {
  const owners = new Owners("the resolver of");
  const merged: Record<string, Record<string, unknown>> = {};
  for (const domain of domains) {
    for (const resolvers of domain.resolvers) {
      for (const [typeName, fields] of Object.entries(resolvers)) {
        for (const [field, resolver] of Object.entries(fields as Record<string, unknown>)) {
          owners.claim(`${typeName}.${field}`, domain);
          (merged[typeName] ??= {})[field] = resolver;
        }
      }
    }
  }
  return merged;
}
