import type { ApiDomain } from "../types";
import { licensesList, listingEventsList, purchasesList, royaltyPaymentsList } from "./lists";
import { marketResolvers } from "./resolvers";
import { marketStatements } from "./statements";
import { marketSubscriptions } from "./subscriptions";

/** The market: listings, licences (PodLicenses holdings), purchases, royalty shares per ancestor, balances and withdrawals of accounts, settings. */
export const marketDomain: ApiDomain = {
  name: "market",
  resolvers: [marketResolvers, marketSubscriptions],
  statements: marketStatements,
  whereInputs: {
    ListingEventWhere: listingEventsList.filters,
    LicenseWhere: licensesList.filters,
    PurchaseWhere: purchasesList.filters,
    RoyaltyPaymentWhere: royaltyPaymentsList.filters,
  },
};
