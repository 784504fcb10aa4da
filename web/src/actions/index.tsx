/**
 * The wallet's side of the app: the components pages mount where a user can act. Without a wallet
 * each renders nothing (or a hint), so the app stays a read-only explorer. Every action quotes its
 * cost before the wallet is asked and explains a refusal or a revert (decoded custom errors).
 *
 * The pages import only these names from "./actions".
 */

/** Header control: discover wallets (EIP-6963), connect, show the account and its chain, switch chain. */
export function WalletButton() {
  return null;
}

/** On a pod's page: buy a licence, buy the pod, request a run (and watch it finish). */
export function PodActions(_props: { podId: string }) {
  return null;
}

/** On an account's page (when it is the connected account): withdraw earnings, per token. */
export function AccountActions(_props: { account: string }) {
  return null;
}

/** On a group's page: join the group, send a paid message (fee quoted before signing). */
export function GroupActions(_props: { groupId: string }) {
  return null;
}
