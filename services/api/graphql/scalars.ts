import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";

/**
 * Custom scalars. Literal parsers throw plain errors (not GraphQLError) so that graphql-js wraps
 * them with the offending node, which lets the API name the argument in the message; variable
 * parsers throw GraphQLError, which graphql-js reports with the variable's name and yoga does
 * not mask. Input validation happens here, so a bad value is rejected before any resolver
 * runs, with an error that names the scalar and the value.
 */

/** For variables: the same check, reported as a client error. */
function asClientError<T>(parse: (value: unknown) => T): (value: unknown) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new GraphQLError((error as Error).message);
    }
  };
}

const UINT256_MAX = (1n << 256n) - 1n;

function literalString(ast: ValueNode, scalar: string, acceptInt: boolean): string {
  if (ast.kind === Kind.STRING || (acceptInt && ast.kind === Kind.INT)) return ast.value;
  throw new TypeError(`${scalar} cannot represent a non-string value: ${ast.kind === Kind.NULL ? "null" : "value of kind " + ast.kind}`);
}

function parseBigInt(value: unknown): string {
  const text = typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : value;
  if (typeof value === "number" && Number.isInteger(value) && value > Number.MAX_SAFE_INTEGER) {
    throw new TypeError(`BigInt ${value} is too large to be sent as a number: send it as a decimal string`);
  }
  if (typeof text !== "string" || !/^[0-9]+$/.test(text)) {
    throw new TypeError(`BigInt must be a non-negative decimal integer string, got ${JSON.stringify(value)}`);
  }
  const digits = text.replace(/^0+(?=.)/, "");
  // Counted before parsing, so a huge string is refused without building its BigInt.
  if (digits.length > 78 || BigInt(digits) > UINT256_MAX) {
    const shown = digits.length > 90 ? `${digits.slice(0, 40)}…(${digits.length} digits)` : digits;
    throw new TypeError(`BigInt ${shown} is too large: it does not fit in 256 bits (the largest is ${UINT256_MAX})`);
  }
  return BigInt(digits).toString();
}

function serializeBigInt(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "string" && /^-?[0-9]+$/.test(value)) return value;
  throw new GraphQLError(`BigInt cannot serialize ${JSON.stringify(String(value))}`);
}

export const BigIntScalar = new GraphQLScalarType<string, string>({
  name: "BigInt",
  description: "Unsigned integer of up to 256 bits, serialized as a decimal string.",
  serialize: serializeBigInt,
  parseValue: asClientError(parseBigInt),
  parseLiteral: (ast) => parseBigInt(literalString(ast, "BigInt", true)),
});

function hexScalar(name: string, bytes: number): GraphQLScalarType<string, string> {
  const pattern = new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`);
  const parse = (value: unknown): string => {
    if (typeof value !== "string" || !pattern.test(value)) {
      throw new TypeError(`${name} must be 0x followed by ${bytes * 2} hex digits, got ${JSON.stringify(value)}`);
    }
    return value.toLowerCase();
  };
  return new GraphQLScalarType<string, string>({
    name,
    serialize: (value) => {
      if (typeof value !== "string" || !pattern.test(value)) throw new GraphQLError(`${name} cannot serialize ${JSON.stringify(value)}`);
      return value.toLowerCase();
    },
    parseValue: asClientError(parse),
    parseLiteral: (ast) => parse(literalString(ast, name, false)),
  });
}

export const AddressScalar = hexScalar("Address", 20);
export const Bytes32Scalar = hexScalar("Bytes32", 32);
