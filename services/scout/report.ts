import { parseUnits } from "ethers";
import type { LureContracts } from "../chain/contracts";
import type { Deployment } from "../chain/deployments";
import { decimalsOf } from "../chain/tokens";
import { fileBody, quoteMessage, readGroupMessages, sendMessage, type MessageBody, type SentMessage } from "../market/messages";
import type { PodStorage } from "../pods/storage";
import type { Finding } from "./state";

/**
 * The scout's report: one message to SCOUT_REPORT_GROUP per finding, sent through
 * services/market/messages.ts (quoted, guarded by SCOUT_MAX_FEE, the body uploaded to Swarm, paid).
 * The body is JSON (`scout-report.json`, content type json) so that people read it with msg:read
 * and programs parse it; `summary` is the one line for people.
 */

export const REPORT_TYPE = "lure.scout.report";
export const REPORT_FILE = "scout-report.json";

export interface ScoutReport {
  type: typeof REPORT_TYPE;
  chainId: number;
  /** What the report is about; a restarted scout looks for it before sending again. */
  key: string;
  event: Finding["event"];
  pod: { podId: string; name: string; creator: string; version: string; manifestRef: string; parentPodId: string };
  block: number;
  tx: string;
  /** The test pod's run, when SCOUT_TEST_POD is set. */
  test?: { podId: string; runId?: string; status?: string; outputRef?: string; logRef?: string; phase?: string; error?: string };
  summary: string;
}

export function reportOf(finding: Finding, chainId: number): ScoutReport {
  const what = finding.event === "pod" ? "new pod" : finding.event === "version" ? `new version ${finding.version} of pod` : "pod posted to the catalogue:";
  const fork = finding.parentPodId !== "0" ? `, a fork of pod ${finding.parentPodId}` : "";
  let summary = `${what} ${finding.podId} "${finding.name}" by ${finding.creator}${fork}, version ${finding.version} at ${finding.manifestRef}`;
  const { test } = finding;
  if (test) {
    if (test.error) summary += `; test pod ${test.podId} could not be run: ${test.error}`;
    else summary += `; test run ${test.runId} of pod ${test.podId}: ${test.status ?? "not ended"}${test.outputRef ? `, output ${test.outputRef}` : ""}${test.phase ? ` (${test.phase})` : ""}`;
  }
  return {
    type: REPORT_TYPE,
    chainId,
    key: finding.key,
    event: finding.event,
    pod: { podId: finding.podId, name: finding.name, creator: finding.creator, version: finding.version, manifestRef: finding.manifestRef, parentPodId: finding.parentPodId },
    block: finding.blockNumber,
    tx: finding.tx,
    ...(test ? { test: { ...test } } : {}),
    summary,
  };
}

function reportBody(report: ScoutReport): MessageBody {
  return fileBody(REPORT_FILE, new Uint8Array(Buffer.from(`${JSON.stringify(report, null, 2)}\n`, "utf8")));
}

/** A report read back from a message body, or undefined when the body is not one. */
export function parseReport(text: string | undefined): ScoutReport | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<ScoutReport>;
    return value?.type === REPORT_TYPE && typeof value.key === "string" ? (value as ScoutReport) : undefined;
  } catch {
    return undefined;
  }
}

type ReportContracts = Pick<LureContracts, "messages" | "groups" | "registry" | "account"> & { deployment?: Deployment };

/** Sends the report to the group; `maxFee` is an amount in the group's fee token (SCOUT_MAX_FEE). */
export async function sendReport(contracts: ReportContracts, storage: Pick<PodStorage, "uploadCollection">, groupId: bigint, report: ScoutReport, maxFee?: string): Promise<SentMessage> {
  const target = { kind: "group", groupId } as const;
  let max: bigint | undefined;
  if (maxFee !== undefined) {
    const quote = await quoteMessage(contracts, target);
    max = parseUnits(maxFee, await decimalsOf(quote.token, contracts.messages.runner));
  }
  return sendMessage(contracts, storage, { target, body: reportBody(report), maxFee: max });
}

/**
 * Whether the account already sent the report of `key` to the group from `fromBlock` on: a scout
 * killed between the send and saving its state finds its report instead of sending it twice.
 */
export async function alreadyReported(contracts: ReportContracts, storage: Pick<PodStorage, "downloadFile">, groupId: bigint, key: string, fromBlock: number): Promise<boolean> {
  const messages = await readGroupMessages(contracts, groupId, { fromBlock, limit: 1_000 });
  const mine = messages.filter((message) => message.sender.toLowerCase() === contracts.account.toLowerCase());
  for (const message of mine) {
    const file = await storage.downloadFile(message.contentRef).catch(() => undefined);
    if (file && parseReport(Buffer.from(file.data).toString("utf8"))?.key === key) return true;
  }
  return false;
}
