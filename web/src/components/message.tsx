import type { Message, Pod, Run, RunStage } from "../../../graphql/generated/client";
import type { AppConfig } from "../app-config";
import { formatTime } from "../format";
import { gql } from "../graphql";
import { useLoad } from "../hooks";
import { fetchText, listFiles } from "../swarm";
import { Address, Amount, PodLink, Show, Status } from "./common";
import { Files } from "./files";

export type MessageRow = Pick<Message, "id" | "sender" | "recipient" | "groupId" | "contentRef" | "decoderPodId" | "contentType" | "size" | "replyTo" | "token" | "fee" | "request" | "timestamp"> & {
  decoder: Pick<Pod, "id" | "name"> | null;
};
export const MESSAGE_FIELDS = "id sender recipient groupId contentRef decoderPodId contentType size replyTo token fee request timestamp decoder { id name }";

const MAX_BODY = 4096;

/** A message's body: the one file of its collection on Swarm, as text. */
function Body({ reference }: { reference: string }) {
  const [loaded] = useLoad(async (signal) => {
    const files = await listFiles(reference, signal);
    if (files.length === 0) return "(empty)";
    const text = await fetchText(reference, files[0].path, signal);
    return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…` : text;
  }, [reference]);
  return (
    <Show loaded={loaded}>
      {(text) => (
        <blockquote class="message-body" data-body-of={reference}>
          {text}
        </blockquote>
      )}
    </Show>
  );
}

type DecoderRun = Pick<Run, "id" | "status" | "inputRef"> & { stages: Pick<RunStage, "outputRef">[] };

/** The decoder pod's runs on this message's content (`msg:open`): the latest, with its output. */
function Decoded({ message }: { message: MessageRow }) {
  const [loaded] = useLoad(
    async (signal) => {
      const data = await gql<{ runs: { items: DecoderRun[] } }>(
        `query ($pod: BigInt!) { runs(where: { podId: $pod }, orderDirection: desc, first: 100) { items { id status inputRef stages { outputRef } } } }`,
        { pod: message.decoderPodId },
        signal,
      );
      return data.runs.items.find((run) => run.inputRef?.toLowerCase() === message.contentRef.toLowerCase()) ?? null;
    },
    [message.id],
  );
  return (
    <Show loaded={loaded}>
      {(run) =>
        run ? (
          <div class="decoded" data-decoder-run={run.id}>
            <p>
              Opened with the decoder in <a href={`#/runs/${run.id}`}>run {run.id}</a> <Status status={run.status} />
            </p>
            {run.stages[0]?.outputRef && <Files reference={run.stages[0].outputRef} inline={/^output\//} label={`Decoded message ${message.id}`} />}
          </div>
        ) : (
          <p class="muted">Not opened with its decoder yet.</p>
        )
      }
    </Show>
  );
}

export function MessageItem({ message, config }: { message: MessageRow; config: AppConfig }) {
  return (
    <li class="message" data-message-id={message.id}>
      <p class="message-head">
        <strong>#{message.id}</strong> from <Address address={message.sender} />
        {message.recipient && (
          <>
            {" "}
            to <Address address={message.recipient} />
          </>
        )}{" "}
        · paid <Amount config={config} token={message.token} value={message.fee} /> · {formatTime(message.timestamp)}
        {message.request && <span class="tag">contact request</span>}
        {message.replyTo && <span class="muted"> · answers #{message.replyTo}</span>}
      </p>
      <Body reference={message.contentRef} />
      {message.decoder && (
        <div class="decoder">
          <p>
            Encoded for the decoder pod <PodLink id={message.decoder.id} name={message.decoder.name} />.
          </p>
          <Decoded message={message} />
        </div>
      )}
    </li>
  );
}
