/**
 * Event argument types derived from an ABI at the type level, so a handler's `args.podId` is checked
 * against the contract's own declaration (typechain's factories keep their ABI `as const`).
 */

/** One input of an event, as a JSON ABI declares it. */
interface AbiEventInput {
  readonly name: string;
  readonly type: string;
  readonly indexed?: boolean;
}

/** An event fragment of a JSON ABI. */
export interface AbiEvent {
  readonly type: "event";
  readonly name: string;
  readonly inputs: readonly AbiEventInput[];
  readonly anonymous?: boolean;
}

/**
 * What the decoder (event-decoder.ts) hands over for a value of `SolidityType`: a bool is a boolean,
 * everything else a string (integers in decimal, addresses and bytes as lower-case 0x-hex, strings
 * as they are).
 */
type DecodedValue<SolidityType extends string> = SolidityType extends "bool" ? boolean : string;

/** The decoded arguments of one event, by name. */
type EventArgs<Event extends AbiEvent> = { readonly [Input in Event["inputs"][number] as Input["name"]]: DecodedValue<Input["type"]> };

/** The event fragments among an ABI's items. */
export type EventsOf<Abi extends readonly unknown[]> = Extract<Abi[number], AbiEvent>;

/** The names of an ABI's events. */
export type EventName<Abi extends readonly unknown[]> = EventsOf<Abi>["name"];

/** The decoded arguments of the event `Name` of `Abi`. */
export type ArgsOf<Abi extends readonly unknown[], Name extends string> = EventArgs<Extract<EventsOf<Abi>, { readonly name: Name }>>;

/** The event fragments of a JSON ABI (typechain's `Factory.abi`), their literal types kept. */
export function eventsOf<Abi extends readonly { readonly type: string }[]>(abi: Abi): EventsOf<Abi>[] {
  return abi.filter((item): item is EventsOf<Abi> => item.type === "event");
}
