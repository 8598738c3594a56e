// MLS costs in a meeting of 8, 50 and 200 members (client/src/e2ee/mls.ts over ts-mls,
// ciphersuite 2): an external join from the GroupInfo to its commit, an existing member
// processing that commit, a Remove commit being made and processed, and the byte sizes of the
// GroupInfo and of both commits. Bundled for Node by esbuild; `make bench-mls` runs it.
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import {
  AttendeeKind,
  type CredentialExpectations,
  encodeCredential,
  encodeCredentialBody,
} from "../../src/Conclave.Web/client/src/e2ee/credential";
import { MeetingGroup, type MemberIdentity, generateSignatureKeyPair } from "../../src/Conclave.Web/client/src/e2ee/mls";

const SIZES = [8, 50, 200];
const ROUNDS = 5;
const MEETING_ID = "bench-meeting";

const ca = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
const present = new Set<string>();
const expect: CredentialExpectations = {
  caPublicKey: ca.publicKey,
  meetingId: MEETING_ID,
  nowUnixSeconds: () => Math.floor(Date.now() / 1000),
  isPresent: (id) => present.has(id),
};
let nextParticipant = 0;

/** A new participant as the appliance admits one: present, with a fresh key and its credential. */
async function admit(): Promise<MemberIdentity> {
  const participantId = (nextParticipant++).toString(16).padStart(8, "0");
  present.add(participantId);
  const keys = await generateSignatureKeyPair();
  const body = encodeCredentialBody({
    meetingId: MEETING_ID,
    participantId,
    attendeeKey: `account:${participantId}`,
    displayName: `Participant ${participantId}`,
    kind: AttendeeKind.Member,
    notAfterUnixSeconds: Math.floor(Date.now() / 1000) + 12 * 3600,
    signatureKeySha256: new Uint8Array(await crypto.subtle.digest("SHA-256", keys.publicKey as Uint8Array<ArrayBuffer>)),
  });
  const signed = new Uint8Array([...new TextEncoder().encode("Conclave credential v1"), ...body]);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ca.privateKey, signed));
  return { credential: encodeCredential(body, signature), keys };
}

interface Cost {
  wallMs: number;
  // Process CPU time, WebCrypto's thread-pool work included: steadier than wall time on a
  // shared machine.
  cpuMs: number;
}

async function timed<T>(operation: () => Promise<T>): Promise<[T, Cost]> {
  const startCpu = process.cpuUsage();
  const start = performance.now();
  const result = await operation();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(startCpu);
  return [result, { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }];
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

function format(costs: Cost[]): string {
  const wall = median(costs.map((c) => c.wallMs));
  const cpu = median(costs.map((c) => c.cpuMs));
  return `${wall.toFixed(1)} / ${cpu.toFixed(1)} ms`;
}

// Two members keep state throughout: `founder` commits the removes, `observer` processes every
// commit as any existing member would. Joiners used only to grow the group are dropped.
const founder = await MeetingGroup.create(new TextEncoder().encode(MEETING_ID), await admit(), expect);
const observerJoin = await MeetingGroup.joinExternal(await founder.groupInfo(), await admit(), expect);
await founder.processCommit(observerJoin.commit);
const observer = observerJoin.group;
await observer.processCommit(observerJoin.commit);

async function growTo(members: number): Promise<void> {
  while (founder.members().length < members) {
    const { commit } = await MeetingGroup.joinExternal(await founder.groupInfo(), await admit(), expect);
    await founder.processCommit(commit);
    await observer.processCommit(commit);
  }
}

console.log(`MLS over ts-mls, ciphersuite 2 (P-256); node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}`);
console.log(`median of ${ROUNDS} rounds, wall / CPU; a round adds one member to a group of N by external commit, then removes it`);
console.log("");
console.log("members | join: GroupInfo→commit | process join | create remove | process remove | GroupInfo B | join commit B | remove commit B");
console.log("--- | --- | --- | --- | --- | --- | --- | ---");
for (const size of SIZES) {
  await growTo(size);
  const join: Cost[] = [];
  const processJoin: Cost[] = [];
  const createRemove: Cost[] = [];
  const processRemove: Cost[] = [];
  let sizes = [0, 0, 0];
  for (let round = 0; round < ROUNDS; round++) {
    const groupInfo = await founder.groupInfo();
    const identity = await admit();
    const [joined, joinCost] = await timed(() => MeetingGroup.joinExternal(groupInfo, identity, expect));
    const [, processJoinCost] = await timed(() => observer.processCommit(joined.commit));
    await founder.processCommit(joined.commit);
    await joined.group.processCommit(joined.commit);
    const [removal, createRemoveCost] = await timed(() => founder.createRemoveCommit([joined.group.ownLeaf]));
    const [, processRemoveCost] = await timed(() => observer.processCommit(removal));
    await founder.processCommit(removal);
    join.push(joinCost);
    processJoin.push(processJoinCost);
    createRemove.push(createRemoveCost);
    processRemove.push(processRemoveCost);
    sizes = [groupInfo.length, joined.commit.length, removal.length];
  }
  console.log(
    `${size} | ${format(join)} | ${format(processJoin)} | ${format(createRemove)} | ${format(processRemove)} | ${sizes[0]} | ${sizes[1]} | ${sizes[2]}`,
  );
}
