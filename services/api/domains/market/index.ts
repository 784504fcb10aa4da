import type { ApiDomain } from "../types";
import { licensesList, listingEventsList, purchasesList } from "./lists";
import { marketResolvers } from "./resolvers";
import { marketStatements } from "./statements";
import { marketSubscriptions } from "./subscriptions";

/** The market: listings, licences, purchases, balances and withdrawals of accounts. */
export const marketDomain: ApiDomain = {
  name: "market",
  resolvers: [marketResolvers, marketSubscriptions],
  statements: marketStatements,
  whereInputs: {
    ListingEventWhere: listingEventsList.filters,
    LicenseWhere: licensesList.filters,
    PurchaseWhere: purchasesList.filters,
  },
};
