import { readFile } from "node:fs/promises";
import { Wallet, type Provider } from "ethers";
import { PRIVATE_KEY_PATTERN } from "../config";
import { ChainError } from "./errors";

/**
 * Signers for services that run outside Hardhat (a runner settling on chain): from a raw private
 * key, or from an encrypted JSON keystore (the format geth, Foundry's `cast wallet` and ethers write),
 * so that a key need not sit in the environment in the clear.
 */

/** A wallet from a 32-byte hex private key (0x optional), connected to `provider` when given. */
export function signerFromPrivateKey(privateKey: string, provider?: Provider): Wallet {
  if (!PRIVATE_KEY_PATTERN.test(privateKey)) throw new ChainError("connect", "a private key must be 32 bytes of hex");
  const wallet = new Wallet(privateKey.startsWith("0x") ? privateKey : `0x${privateKey}`);
  return provider ? wallet.connect(provider) : wallet;
}

/** A wallet decrypted from an encrypted JSON keystore's text; a wrong password or a malformed file is a ChainError. */
export async function signerFromKeystore(json: string, password: string, provider?: Provider): Promise<Wallet> {
  let decrypted: Awaited<ReturnType<typeof Wallet.fromEncryptedJson>>;
  try {
    decrypted = await Wallet.fromEncryptedJson(json, password);
  } catch (error) {
    throw new ChainError("connect", `cannot open the keystore: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`);
  }
  // fromEncryptedJson returns an HDNodeWallet for mnemonic keystores; both reduce to the same key.
  const wallet = new Wallet(decrypted.privateKey);
  return provider ? wallet.connect(provider) : wallet;
}

/** `signerFromKeystore` on a file. */
export async function signerFromKeystoreFile(path: string, password: string, provider?: Provider): Promise<Wallet> {
  let json: string;
  try {
    json = await readFile(path, "utf8");
  } catch (error) {
    throw new ChainError("connect", `cannot read the keystore ${path}: ${(error as Error).message}`);
  }
  return signerFromKeystore(json, password, provider);
}
