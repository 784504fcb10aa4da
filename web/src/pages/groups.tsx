import { useEffect, useState } from "preact/hooks";
import type { Group, GroupBanner, GroupMember, GroupPod, GroupTreasury, Pod } from "../../../graphql/generated/client";
import { GroupActions } from "../actions";
import type { AppConfig } from "../app-config";
import { Address, Amount, Empty, Facts, PodLink, Show, Table, Token } from "../components/common";
import { MESSAGE_FIELDS, MessageItem, type MessageRow } from "../components/message";
import { formatBps, formatDuration, formatTime } from "../format";
import { gql, subscribe } from "../graphql";
import { useLoad } from "../hooks";

type GroupRow = Pick<Group, "id" | "name" | "owner" | "joinPolicy" | "memberCount" | "messageCount" | "token" | "joinFee"> & { banner: Pick<GroupBanner, "title"> | null };

export function GroupsPage({ config }: { config: AppConfig }) {
  const [loaded] = useLoad(
    (signal) =>
      gql<{ groups: { items: GroupRow[]; totalCount: number } }>(
        `query { groups(orderDirection: desc, first: 100) { items { id name owner joinPolicy memberCount messageCount token joinFee banner { title } } totalCount } }`,
        {},
        signal,
      ),
    [],
  );
  return (
    <>
      <h1 tabIndex={-1}>Groups</h1>
      <Show loaded={loaded}>
        {(data) => (
          <Table caption={`${data.groups.totalCount} groups`} id="groups" head={["Group", "Owner", "Joining", "Members", "Messages"]}>
            {data.groups.items.length === 0 ? (
              <Empty columns={5} text="No groups yet." />
            ) : (
              data.groups.items.map((group) => (
                <tr key={group.id} data-group-id={group.id}>
                  <td>
                    <a href={`#/groups/${group.id}`}>{group.name}</a>
                    {group.banner?.title && <div class="muted">{group.banner.title}</div>}
                  </td>
                  <td>
                    <Address address={group.owner} />
                  </td>
                  <td>
                    {group.joinPolicy.toLowerCase()}
                    {group.joinPolicy === "FEE" && (
                      <>
                        {" "}
                        (<Amount config={config} token={group.token} value={group.joinFee} />)
                      </>
                    )}
                  </td>
                  <td class="num">{group.memberCount}</td>
                  <td class="num">{group.messageCount}</td>
                </tr>
              ))
            )}
          </Table>
        )}
      </Show>
    </>
  );
}

type GroupDetail = Pick<
  Group,
  "id" | "name" | "owner" | "bannerRef" | "joinPolicy" | "membershipPeriod" | "token" | "joinFee" | "memberMessageFee" | "publicMessageFee" | "surgeWindow" | "surgeBps" | "memberCount" | "messageCount" | "createdAt"
> & {
  banner: Pick<GroupBanner, "title" | "objectives" | "howToJoin" | "rules" | "links"> | null;
  members: { items: Pick<GroupMember, "account" | "role" | "active" | "expiresAt" | "joinedAt">[]; totalCount: number };
  catalogue: { items: (Pick<GroupPod, "podId" | "postedBy" | "postedAt"> & { pod: Pick<Pod, "id" | "name"> | null })[] };
  treasury: Pick<GroupTreasury, "token" | "balance" | "earned" | "withdrawn">[];
  messages: { items: MessageRow[]; totalCount: number };
};

const GROUP_QUERY = `query ($id: BigInt!) { group(id: $id) {
  id name owner bannerRef joinPolicy membershipPeriod token joinFee memberMessageFee publicMessageFee surgeWindow surgeBps memberCount messageCount createdAt
  banner { title objectives howToJoin rules links { label url } }
  members(where: { status: MEMBER }, first: 200) { items { account role active expiresAt joinedAt } totalCount }
  catalogue(first: 200) { items { podId postedBy postedAt pod { id name } } }
  treasury { token balance earned withdrawn }
  messages(orderDirection: desc, first: 50) { items { ${MESSAGE_FIELDS} } totalCount }
} }`;

export function GroupPage({ id, config }: { id: string; config: AppConfig }) {
  const [loaded, reload] = useLoad((signal) => gql<{ group: GroupDetail | null }>(GROUP_QUERY, { id }, signal), [id]);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const subscription = subscribe(
      `subscription ($group: BigInt) { messageSent(group: $group) { __typename } }`,
      { group: id },
      () => reload(),
      () => {
        setLive(true);
        reload();
      },
    );
    return () => subscription.close();
  }, [id]);
  return (
    <Show loaded={loaded}>
      {({ group }) =>
        !group ? (
          <>
            <h1 tabIndex={-1}>Group {id}</h1>
            <p role="alert">There is no group {id}.</p>
          </>
        ) : (
          <article data-group-id={group.id}>
            <h1 tabIndex={-1}>
              {group.name} <span class="muted">#{group.id}</span>
            </h1>
            <section class="banner" aria-labelledby="banner-h" id="banner">
              <h2 id="banner-h">{group.banner?.title ?? "No banner"}</h2>
              {group.banner ? (
                <>
                  {group.banner.objectives && group.banner.objectives.length > 0 && (
                    <>
                      <h3>Objectives</h3>
                      <ul>
                        {group.banner.objectives.map((text) => (
                          <li key={text}>{text}</li>
                        ))}
                      </ul>
                    </>
                  )}
                  {group.banner.howToJoin && (
                    <p>
                      <strong>How to join:</strong> {group.banner.howToJoin}
                    </p>
                  )}
                  {group.banner.rules && group.banner.rules.length > 0 && (
                    <>
                      <h3>Rules</h3>
                      <ul>
                        {group.banner.rules.map((text) => (
                          <li key={text}>{text}</li>
                        ))}
                      </ul>
                    </>
                  )}
                  {group.banner.links && group.banner.links.length > 0 && (
                    <ul>
                      {group.banner.links.map((link) => (
                        <li key={link.url}>
                          <a href={link.url} rel="noopener noreferrer">
                            {link.label ?? link.url}
                          </a>
                        </li>
                      ))}
                    </ul>
                  )}
                </>
              ) : (
                <p class="muted">{group.bannerRef ? "The banner could not be read (yet)." : "This group has no banner."}</p>
              )}
            </section>
            <GroupActions groupId={group.id} />
            <section aria-labelledby="fees-h">
              <h2 id="fees-h">Fees</h2>
              <Facts
                items={[
                  ["Owner", <Address key="o" address={group.owner} />],
                  ["Joining", group.joinPolicy.toLowerCase()],
                  ["Join fee", <Amount key="j" config={config} token={group.token} value={group.joinFee} />],
                  ["Member message fee", <Amount key="m" config={config} token={group.token} value={group.memberMessageFee} />],
                  ["Public message fee", <Amount key="p" config={config} token={group.token} value={group.publicMessageFee} />],
                  ["Membership lasts", group.membershipPeriod === "0" ? "forever" : formatDuration(Number(group.membershipPeriod))],
                  ["Surge pricing", group.surgeWindow === "0" ? "off" : `×${formatBps(group.surgeBps)} per message within ${formatDuration(Number(group.surgeWindow))}`],
                  ["Created", formatTime(group.createdAt)],
                ]}
              />
              <Table caption="Treasury" id="treasury" head={["Token", "Balance", "Earned", "Withdrawn"]}>
                {group.treasury.length === 0 ? (
                  <Empty columns={4} text="Nothing earned yet." />
                ) : (
                  group.treasury.map((row) => (
                    <tr key={row.token}>
                      <td>
                        <Token config={config} token={row.token} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={row.token} value={row.balance} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={row.token} value={row.earned} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={row.token} value={row.withdrawn} />
                      </td>
                    </tr>
                  ))
                )}
              </Table>
            </section>
            <section aria-labelledby="members-h">
              <h2 id="members-h">Members ({group.memberCount} active)</h2>
              <Table caption="Members" id="members" head={["Account", "Role", "Active", "Joined", "Expires"]}>
                {group.members.items.map((member) => (
                  <tr key={member.account} data-account={member.account}>
                    <td>
                      <Address address={member.account} />
                    </td>
                    <td>{member.role?.toLowerCase() ?? "—"}</td>
                    <td>{member.active ? "yes" : "no"}</td>
                    <td>{formatTime(member.joinedAt)}</td>
                    <td>{member.expiresAt === null ? "never" : formatTime(Number(member.expiresAt))}</td>
                  </tr>
                ))}
              </Table>
            </section>
            <section aria-labelledby="catalogue-h">
              <h2 id="catalogue-h">Catalogue</h2>
              {group.catalogue.items.length === 0 ? (
                <p class="muted">No pods posted.</p>
              ) : (
                <ul id="catalogue">
                  {group.catalogue.items.map((item) => (
                    <li key={item.podId}>
                      <PodLink id={item.podId} name={item.pod?.name} /> <span class="muted">posted by</span> <Address address={item.postedBy} />
                    </li>
                  ))}
                </ul>
              )}
              <p>
                <a href={`#/pods?group=${group.id}`}>Browse the catalogue with the pod filters</a>
              </p>
            </section>
            <section aria-labelledby="messages-h">
              <h2 id="messages-h">Messages ({group.messageCount})</h2>
              <p class="muted" role="status" id="messages-live" data-live={String(live)}>
                {live ? "Live: new messages appear as they are sent." : "Connecting to live updates…"}
              </p>
              {group.messages.items.length === 0 ? (
                <p class="muted">No messages yet.</p>
              ) : (
                <ol class="messages" id="messages" reversed>
                  {group.messages.items.map((message) => (
                    <MessageItem key={message.id} message={message} config={config} />
                  ))}
                </ol>
              )}
            </section>
          </article>
        )
      }
    </Show>
  );
}
