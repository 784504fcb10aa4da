/**
 * The wallet's side of the app: the components pages mount where a user can act. Without a wallet
 * each renders nothing (or a hint), so the app stays a read-only explorer. Every action quotes its
 * cost before the wallet is asked and explains a refusal or a revert (decoded custom errors). The
 * logic lives in ../wallet (discovery, connection, chain switching, transactions, each action's plan).
 *
 * The pages import only these names from "./actions".
 */
import "./actions.css";

export { WalletButton } from "./wallet-button";
export { PodActions } from "./pod-actions";
export { AccountActions } from "./account-actions";
export { GroupActions } from "./group-actions";
