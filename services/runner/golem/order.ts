import type { MarketOrderSpec, OfferProposal } from "@golem-sdk/golem-js";
import { golemImage, type PodRecipe } from "../../pods/recipe";
import type { ExecutionLimits } from "../executor";

/**
 * What a run asks of the Golem market: the recipe's image and resources, a rental long enough for
 * the run, and linear price caps. Pure functions, so admission and the order agree on one estimate.
 */

/** GLM caps of linear pricing, and the most one run may cost (also its payment allocation). */
export interface GolemPricing {
  maxStartPrice: number;
  maxCpuPerHour: number;
  maxEnvPerHour: number;
}

/** Providers refuse agreements shorter than this (their MIN_AGREEMENT_EXPIRATION). */
const MIN_RENT_SECONDS = 5 * 60;
/** Rental time beyond provisioning and the pod's wall clock: packing and downloading output and logs. */
const TRANSFER_MARGIN_SECONDS = 120;

const SHA3_HASH = /^[0-9a-fA-F]{56}$/;

/**
 * Seconds to rent a provider for: setup, the pod's wall clock and the transfers after it, at least
 * five minutes. golem-js turns `rentHours` back into seconds (`rentHours * 60 * 60`) and yagna
 * wants a whole number, so the count is raised until hours → seconds comes back exact in floating point.
 */
export function rentSeconds(limits: Pick<ExecutionLimits, "wallClockSeconds" | "provisionSeconds">): number {
  let seconds = Math.max(MIN_RENT_SECONDS, Math.ceil(limits.wallClockSeconds + limits.provisionSeconds + TRANSFER_MARGIN_SECONDS));
  while (!exactHours(seconds)) seconds += 1;
  return seconds;
}

function exactHours(seconds: number): boolean {
  const hours = seconds / 3600;
  return hours * 60 * 60 === seconds && hours * 3600 === seconds;
}

/** CPU threads the estimate counts: the recipe's minimum cores (one thread each), else one. */
export function cpuThreads(recipe: PodRecipe): number {
  return recipe.golem.resources?.minCpuCores ?? 1;
}

/** The most a rental of `seconds` on `threads` CPU threads costs at the caps, in GLM. */
export function worstCost(pricing: GolemPricing, seconds: number, threads: number): number {
  const hours = seconds / 3600;
  return pricing.maxStartPrice + hours * pricing.maxEnvPerHour + hours * threads * pricing.maxCpuPerHour;
}

/** The image part of a workload: a 56-hex sha3-224 hash (built with gvmkit-build) or a registry tag. */
function imageOf(recipe: PodRecipe): { imageHash: string } | { imageTag: string } {
  const image = golemImage(recipe);
  return SHA3_HASH.test(image) ? { imageHash: image.toLowerCase() } : { imageTag: image };
}

/**
 * The order for one run. Offers are also filtered by what they would cost with all of the
 * provider's threads busy for the whole rental, so that no invoice can exceed the run's allocation.
 */
export function orderFor(recipe: PodRecipe, limits: ExecutionLimits, pricing: GolemPricing, budget: number): { order: MarketOrderSpec; seconds: number } {
  const seconds = rentSeconds(limits);
  const rentHours = seconds / 3600;
  const resources = recipe.golem.resources ?? {};
  const order: MarketOrderSpec = {
    demand: {
      workload: {
        ...imageOf(recipe),
        minCpuCores: resources.minCpuCores ?? 1,
        minCpuThreads: cpuThreads(recipe),
        ...(resources.minMemGib !== undefined ? { minMemGib: resources.minMemGib } : {}),
        ...(resources.minStorageGib !== undefined ? { minStorageGib: resources.minStorageGib } : {}),
      },
    },
    market: {
      rentHours,
      pricing: { model: "linear", maxStartPrice: pricing.maxStartPrice, maxCpuPerHourPrice: pricing.maxCpuPerHour, maxEnvPerHourPrice: pricing.maxEnvPerHour },
      offerProposalFilter: (proposal: OfferProposal) => withinBudget(proposal, rentHours, budget),
    },
  };
  return { order, seconds };
}

function withinBudget(proposal: OfferProposal, rentHours: number, budget: number): boolean {
  try {
    return proposal.getEstimatedCost(rentHours) <= budget;
  } catch {
    // An offer without a linear price vector cannot be costed: it is not taken.
    return false;
  }
}
