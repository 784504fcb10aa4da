import { HDNodeWallet, Mnemonic } from "ethers";

/** Hardhat's well-known development mnemonic: these keys are public and hold only test coins. */
const HARDHAT_DEV_MNEMONIC = "test test test test test test test test test test test junk";

export interface DevAccount {
  index: number;
  address: string;
  privateKey: string;
}

/** The first `count` funded accounts of a Hardhat node (10,000 ETH each). */
export function devAccounts(count = 5): DevAccount[] {
  const mnemonic = Mnemonic.fromPhrase(HARDHAT_DEV_MNEMONIC);
  return Array.from({ length: count }, (_unused, index) => {
    const wallet = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${index}`);
    return { index, address: wallet.address, privateKey: wallet.privateKey };
  });
}
