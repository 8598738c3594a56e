// The security code: the MLS epoch authenticator (RFC 9420 §8.7) as digits people can read
// to each other. Everyone in an epoch computes the same code from their own group state, and
// it changes with every epoch; a member who sees a different code is not in the same group.

const GROUPS = 6;
const DIGITS_PER_GROUP = 5;

/**
 * Six groups of five digits: each group is 24 bits of the authenticator modulo 10^5
 * (a bias below 0.06 %, irrelevant for comparing codes).
 */
export function securityCode(epochAuthenticator: Uint8Array): string {
  if (epochAuthenticator.length < GROUPS * 3) throw new Error("epoch authenticator too short");
  const groups: string[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const value = (epochAuthenticator[i * 3]! << 16) | (epochAuthenticator[i * 3 + 1]! << 8) | epochAuthenticator[i * 3 + 2]!;
    groups.push(String(value % 10 ** DIGITS_PER_GROUP).padStart(DIGITS_PER_GROUP, "0"));
  }
  return groups.join(" ");
}
