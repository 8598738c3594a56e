// `make bench-load`: conclaved and Janus under the same load, in turns, in one run (bench/load/README.md).
// Runs inside the private network namespace run.sh makes: conclaved and Janus are started here,
// the participants are werift peers in this process, and each measurement window reads the
// server's CPU time from /proc/<pid>/stat while the subscribers count what arrives.
import { type ChildProcess, execSync, spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type ConclaveRoom, ConclaveParticipant, admitParticipants } from "./conclave";
import { readIvfFrames } from "./frames";
import type { HttpsTarget } from "./https";
import { FIRST_ROOM, JANUS_API, JanusParticipant, janusPacketsOut, writeJanusConfig } from "./janus";
import { type Clip, RoomTraffic } from "./media";
import { installMeetingFetch } from "./member";
import { srtpProfile, waitFor } from "./peer";

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const ROUNDS = env("LOAD_ROUNDS", 3);
const ROOMS = env("LOAD_ROOMS", 2);
const WINDOW_S = env("LOAD_WINDOW_S", 20);
const WARMUP_S = env("LOAD_WARMUP_S", 10);
const SETTLE_S = env("LOAD_SETTLE_S", 3);
const SUBSCRIBER_STEPS = (process.env.LOAD_SUBSCRIBERS ?? "1,3,6").split(",").map(Number);
const MAX_SUBSCRIBERS = Math.max(...SUBSCRIBER_STEPS);
const REPO = process.env.LOAD_REPO!;
const OUT = process.env.LOAD_OUT!;
const STATE = process.env.LOAD_STATE!;
const CLIP = process.env.LOAD_CLIP!;
/** The namespace's non-loopback interface that carries 127.0.0.2 (run.sh): both servers' ICE candidates are on it. */
const MEDIA_INTERFACE = "v0";
const MEDIA_ADDRESS = "127.0.0.2";
const HTTPS: HttpsTarget = { host: "127.0.0.1", port: 8443 };
/** conclaved's loopback metrics listener, read before and after each window. */
const METRICS = "127.0.0.1:9464";
/** MEDIA_LOOPS=1 or 2 sets conclaved's media loops (default: one per processor). */
const MEDIA_LOOPS = process.env.MEDIA_LOOPS;
const CLOCK_TICKS_PER_SECOND = Number(execSync("getconf CLK_TCK").toString().trim());

type ServerName = "conclave" | "janus";

interface WindowResult {
  server: ServerName;
  round: number;
  subscribers: number;
  rooms: number;
  seconds: number;
  serverCpuSeconds: number;
  clientCpuSeconds: number;
  sentPackets: number;
  receivedPackets: number;
  receivedBytes: number;
  /** The server's own count of packets sent to subscribers over the window: Janus's handle_info, conclaved's /metrics. */
  serverCountedPackets: number | null;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencySamples: number;
  loadAverage: number;
  keyFramesSent: number;
}

const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process and all its threads, living and exited (proc(5)), in seconds. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Starts a server with its output in a log file; resolves on the first line `ready` matches. */
function startServer(name: string, command: string, args: string[], ready: RegExp, onLine: (line: string) => void = () => {}): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const file = createWriteStream(join(OUT, `${name}.log`));
    let pending = "";
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 120 s (see ${name}.log)`)), 120_000);
    const feed = (chunk: Buffer) => {
      file.write(chunk);
      pending += chunk.toString("utf8");
      let newline;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        onLine(line);
        if (!started && ready.test(line)) {
          started = true;
          clearTimeout(timer);
          resolve(child);
        }
      }
    };
    child.stdout!.on("data", feed);
    child.stderr!.on("data", feed);
    child.on("exit", (code) => {
      if (!started) reject(new Error(`${name} exited with ${code} before it was ready (see ${name}.log)`));
    });
  });
}

/** What a server under test does between windows: participants join, subscribers are added, all leave. */
interface LoadTarget {
  name: ServerName;
  pid: number;
  traffic: RoomTraffic[];
  open(): Promise<void>;
  addSubscribers(total: number): Promise<void>;
  srtpProfiles(): string[];
  keyFramesSent(): number;
  /** Counted by the server itself, read before and after a window. */
  serverPackets(): Promise<number | null>;
  close(): Promise<void>;
}

function conclaveTarget(pid: number, rooms: ConclaveRoom[], clip: Clip): LoadTarget {
  const traffic = rooms.map(() => new RoomTraffic());
  const participants: ConclaveParticipant[][] = rooms.map(() => []);
  const admit = async (room: number, index: number) => {
    const r = rooms[room];
    const p = new ConclaveParticipant(HTTPS, r.accounts[index], r.meetingId, index === 0 ? "publisher" : "subscriber", clip, traffic[room]);
    participants[room].push(p);
    await p.join();
    // One join at a time per room, as people arrive: each external commit is made at the epoch the last one started.
    await p.waitInGroup(undefined, 20_000);
    const epoch = p.epoch;
    for (const other of participants[room]) await other.waitInGroup(epoch, 20_000);
  };
  return {
    name: "conclave",
    pid,
    traffic,
    async open() {
      await Promise.all(rooms.map((_, room) => admit(room, 0)));
    },
    async addSubscribers(total) {
      await Promise.all(
        rooms.map(async (_, room) => {
          while (participants[room].length - 1 < total) await admit(room, participants[room].length);
        }),
      );
    },
    srtpProfiles: () => participants.flat().map((p) => srtpProfile(p.pc) ?? "none"),
    keyFramesSent: () => participants.flat().reduce((sum, p) => sum + p.keyFramesSent, 0),
    async serverPackets() {
      // conclaved's media counters (Conclave:Metrics): RTP sent to subscribers, per room, since it opened.
      const text = await (await fetch(`http://${METRICS}/metrics`)).text();
      let packets = 0;
      for (const line of text.matchAll(/^conclave_rtp_forwarded_packets_total\{[^}]*\} (\d+)$/gm)) packets += Number(line[1]);
      return packets;
    },
    async close() {
      for (const p of participants.flat()) p.leave();
      for (const list of participants) list.length = 0;
      await sleep(1000);
    },
  };
}

function janusTarget(pid: number, clip: Clip): LoadTarget {
  const traffic = Array.from({ length: ROOMS }, () => new RoomTraffic());
  const publishers: JanusParticipant[] = [];
  const subscribers: JanusParticipant[][] = traffic.map(() => []);
  return {
    name: "janus",
    pid,
    traffic,
    async open() {
      for (let room = 0; room < ROOMS; room++) {
        const publisher = new JanusParticipant(`r${room}p0`, FIRST_ROOM + room, clip, traffic[room]);
        publishers.push(publisher);
        await publisher.publish();
        await publisher.waitConnected(20_000);
      }
    },
    async addSubscribers(total) {
      for (let room = 0; room < ROOMS; room++) {
        while (subscribers[room].length < total) {
          const s = new JanusParticipant(`r${room}p${subscribers[room].length + 1}`, FIRST_ROOM + room, clip, traffic[room]);
          subscribers[room].push(s);
          await s.subscribe(publishers[room].feedId!);
          await s.waitConnected(20_000);
        }
      }
    },
    srtpProfiles: () => [...publishers, ...subscribers.flat()].map((p) => srtpProfile(p.pc) ?? "none"),
    keyFramesSent: () => publishers.reduce((sum, p) => sum + p.keyFramesSent, 0),
    async serverPackets() {
      const infos = await Promise.all(subscribers.flat().map((s) => s.info()));
      return infos.reduce((sum: number, info) => sum + janusPacketsOut(info), 0);
    },
    async close() {
      await Promise.all([...publishers, ...subscribers.flat()].map((p) => p.leave()));
      publishers.length = 0;
      for (const list of subscribers) list.length = 0;
      await sleep(1000);
    },
  };
}

async function measureWindow(target: LoadTarget, round: number, subscribers: number): Promise<WindowResult> {
  const serverPacketsBefore = await target.serverPackets();
  const keyFramesBefore = target.keyFramesSent();
  for (const t of target.traffic) {
    t.sent.reset(true);
    t.received.reset(true);
  }
  const cpuBefore = processCpuSeconds(target.pid);
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  await sleep(WINDOW_S * 1000);
  for (const t of target.traffic) {
    t.sent.measuring = false;
    t.received.measuring = false;
  }
  const seconds = (performance.now() - start) / 1000;
  const serverCpuSeconds = processCpuSeconds(target.pid) - cpuBefore;
  const client = process.cpuUsage(clientBefore);
  const serverPacketsAfter = await target.serverPackets();
  const latencies = target.traffic.flatMap((t) => t.received.latenciesMs).sort((a, b) => a - b);
  const result: WindowResult = {
    server: target.name,
    round,
    subscribers,
    rooms: target.traffic.length,
    seconds,
    serverCpuSeconds,
    clientCpuSeconds: (client.user + client.system) / 1e6,
    sentPackets: target.traffic.reduce((s, t) => s + t.sent.packets, 0),
    receivedPackets: target.traffic.reduce((s, t) => s + t.received.packets, 0),
    receivedBytes: target.traffic.reduce((s, t) => s + t.received.bytes, 0),
    serverCountedPackets: serverPacketsBefore === null || serverPacketsAfter === null ? null : serverPacketsAfter - serverPacketsBefore,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    latencySamples: latencies.length,
    loadAverage: loadavg()[0],
    keyFramesSent: target.keyFramesSent() - keyFramesBefore,
  };
  log(
    `${target.name} round ${round} N=${subscribers}: CPU ${((100 * serverCpuSeconds) / seconds).toFixed(1)}% of a core, ` +
      `${(result.receivedPackets / seconds).toFixed(0)} pps out, ${((1e6 * serverCpuSeconds) / Math.max(1, result.receivedPackets)).toFixed(1)} µs/pkt, ` +
      `loss ${(100 * lossFraction(result)).toFixed(2)}%, latency p50 ${result.latencyP50Ms.toFixed(2)} / p99 ${result.latencyP99Ms.toFixed(2)} ms, ` +
      `server counted ${result.serverCountedPackets ?? "-"} pkts vs ${result.receivedPackets} received, ` +
      `${result.keyFramesSent} key frames, client CPU ${((100 * result.clientCpuSeconds) / seconds).toFixed(0)}%, load ${result.loadAverage.toFixed(1)}`,
  );
  return result;
}

function lossFraction(r: WindowResult): number {
  const expected = r.sentPackets * r.subscribers;
  return expected === 0 ? NaN : Math.max(0, 1 - r.receivedPackets / expected);
}

async function runRound(target: LoadTarget, round: number, profiles: Set<string>): Promise<WindowResult[]> {
  const results: WindowResult[] = [];
  await target.open();
  let first = true;
  for (const n of SUBSCRIBER_STEPS) {
    await target.addSubscribers(n);
    await waitFor(() => target.traffic.every((t) => t.receivingBoth.size >= n), 20_000, `${target.name}: ${n} subscribers receiving audio and video`);
    await sleep((first ? WARMUP_S : SETTLE_S) * 1000);
    first = false;
    results.push(await measureWindow(target, round, n));
  }
  for (const profile of target.srtpProfiles()) profiles.add(profile);
  log(`${target.name} SRTP profiles: ${[...profiles].join(", ")}`);
  await target.close();
  return results;
}

interface Summary {
  server: ServerName;
  subscribers: number;
  cpuPercent: number[];
  egressPps: number[];
  microsPerPacket: number[];
  lossPercent: number[];
  p50: number[];
  p99: number[];
}

/** Least-squares slope and intercept of CPU µs per second against forwarded packets per second. */
function fit(points: { pps: number; cpuMicrosPerSecond: number }[]): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.pps, 0) / n;
  const my = points.reduce((s, p) => s + p.cpuMicrosPerSecond, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.pps - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.pps - mx) * (p.cpuMicrosPerSecond - my), 0);
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

const fmt = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)} / ${median(values).toFixed(digits)}`;

function report(results: WindowResult[], profiles: Record<string, string[]>): string {
  const summaries: Summary[] = [];
  for (const server of ["conclave", "janus"] as ServerName[]) {
    for (const n of SUBSCRIBER_STEPS) {
      const rows = results.filter((r) => r.server === server && r.subscribers === n);
      summaries.push({
        server,
        subscribers: n,
        cpuPercent: rows.map((r) => (100 * r.serverCpuSeconds) / r.seconds),
        egressPps: rows.map((r) => r.receivedPackets / r.seconds),
        microsPerPacket: rows.map((r) => (1e6 * r.serverCpuSeconds) / r.receivedPackets),
        lossPercent: rows.map((r) => 100 * lossFraction(r)),
        p50: rows.map((r) => r.latencyP50Ms),
        p99: rows.map((r) => r.latencyP99Ms),
      });
    }
  }
  const slopes: Record<ServerName, number[]> = { conclave: [], janus: [] };
  const intercepts: Record<ServerName, number[]> = { conclave: [], janus: [] };
  for (const server of ["conclave", "janus"] as ServerName[]) {
    for (let round = 1; round <= ROUNDS; round++) {
      const rows = results.filter((r) => r.server === server && r.round === round);
      if (rows.length < 2) continue;
      const line = fit(rows.map((r) => ({ pps: r.receivedPackets / r.seconds, cpuMicrosPerSecond: (1e6 * r.serverCpuSeconds) / r.seconds })));
      slopes[server].push(line.slope);
      intercepts[server].push(line.intercept / 1e4);
    }
  }
  const lines: string[] = [];
  const loads = results.map((r) => r.loadAverage);
  lines.push(
    `${ROOMS} room(s), 1 publisher each (VP8 ~1.5 Mbit/s 30 fps + Opus 20 ms, SFrame-sealed), ${ROUNDS} rounds, ${WINDOW_S} s windows; ` +
      `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the windows`,
  );
  lines.push(`SRTP: conclave ${profiles.conclave.join(", ")}; janus ${profiles.janus.join(", ")}`);
  const clientPercent = results.map((r) => (100 * r.clientCpuSeconds) / r.seconds);
  lines.push(`The participants' own process (werift, SFrame sealing, MLS): ${Math.min(...clientPercent).toFixed(0)}–${Math.max(...clientPercent).toFixed(0)} % of a core`);
  lines.push("");
  lines.push("| server | N | CPU % of a core | egress pps | CPU µs per forwarded pkt | loss % | latency p50 ms | latency p99 ms |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of summaries) {
    lines.push(
      `| ${s.server} | ${s.subscribers} | ${fmt(s.cpuPercent, 2)} | ${fmt(s.egressPps, 0)} | ${fmt(s.microsPerPacket, 2)} | ${fmt(s.lossPercent, 3)} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} |`,
    );
  }
  lines.push("");
  lines.push("Each cell: min / median over the rounds.");
  lines.push("");
  lines.push("| Conclave / Janus | N | CPU µs per forwarded pkt (ratio of medians) | ratio per round, min / median |");
  lines.push("|---|---:|---:|---:|");
  for (const n of SUBSCRIBER_STEPS) {
    const c = summaries.find((s) => s.server === "conclave" && s.subscribers === n)!;
    const j = summaries.find((s) => s.server === "janus" && s.subscribers === n)!;
    const perRound = c.microsPerPacket.map((v, i) => v / j.microsPerPacket[i]).filter((v) => Number.isFinite(v));
    lines.push(`| | ${n} | ${(median(c.microsPerPacket) / median(j.microsPerPacket)).toFixed(2)} | ${fmt(perRound, 2)} |`);
  }
  const slopeRatios = slopes.conclave.map((v, i) => v / slopes.janus[i]).filter((v) => Number.isFinite(v));
  lines.push("");
  lines.push(`Marginal CPU per forwarded packet (least-squares fit of CPU against egress pps over N = ${SUBSCRIBER_STEPS.join(", ")}, per round; min / median):`);
  lines.push(`- conclave: ${fmt(slopes.conclave, 2)} µs, intercept ${fmt(intercepts.conclave, 2)} % of a core`);
  lines.push(`- janus: ${fmt(slopes.janus, 2)} µs, intercept ${fmt(intercepts.janus, 2)} % of a core`);
  lines.push(`- Conclave / Janus, per round: ${fmt(slopeRatios, 2)}`);
  for (const server of ["conclave", "janus"] as ServerName[]) {
    const checks = results.filter((r) => r.server === server && r.serverCountedPackets !== null && r.serverCountedPackets > 0);
    if (checks.length === 0) continue;
    const deviations = checks.map((r) => (100 * (r.receivedPackets - r.serverCountedPackets!)) / r.serverCountedPackets!);
    lines.push(`- ${server}'s own count of packets sent vs the subscribers' counts: ${Math.min(...deviations).toFixed(2)}% to ${Math.max(...deviations).toFixed(2)}% (subscribers − server)`);
  }
  return lines.join("\n");
}

function plot(results: WindowResult[]): void {
  const data: string[] = ["# server subscribers cpu_median cpu_min cpu_max us_per_pkt_median"];
  for (const [index, server] of (["conclave", "janus"] as ServerName[]).entries()) {
    if (index > 0) data.push("", "");
    for (const n of SUBSCRIBER_STEPS) {
      const rows = results.filter((r) => r.server === server && r.subscribers === n);
      const cpu = rows.map((r) => (100 * r.serverCpuSeconds) / r.seconds);
      const perPacket = rows.map((r) => (1e6 * r.serverCpuSeconds) / r.receivedPackets);
      data.push(`${server} ${n} ${median(cpu)} ${Math.min(...cpu)} ${Math.max(...cpu)} ${median(perPacket)}`);
    }
  }
  writeFileSync(join(OUT, "cpu.dat"), data.join("\n") + "\n");
  const script = `set terminal pngcairo size 1100,480 font "sans,10"
set output "${join(OUT, "cpu-vs-subscribers.png")}"
set multiplot layout 1,2 title "conclaved vs Janus 1.1.2: ${ROOMS} room(s), 1 publisher each, SFrame-sealed VP8 1.5 Mbit/s + Opus"
set xlabel "subscribers per room (N)"
set xrange [0:${MAX_SUBSCRIBERS + 1}]
set grid
set key top left
set ylabel "server CPU, % of one core (median, min-max over rounds)"
set yrange [0:*]
plot "${join(OUT, "cpu.dat")}" index 0 using 2:3:4:5 with yerrorlines lw 2 title "conclaved", \\
     "" index 1 using 2:3:4:5 with yerrorlines lw 2 title "Janus"
set ylabel "server CPU µs per forwarded packet (median)"
plot "${join(OUT, "cpu.dat")}" index 0 using 2:6 with linespoints lw 2 title "conclaved", \\
     "" index 1 using 2:6 with linespoints lw 2 title "Janus"
unset multiplot
`;
  writeFileSync(join(OUT, "cpu.gnuplot"), script);
  const run = spawnSync("gnuplot", [join(OUT, "cpu.gnuplot")], { encoding: "utf8" });
  if (run.status !== 0) log(`gnuplot failed: ${run.stderr}`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const clip: Clip = { videoFrames: readIvfFrames(new Uint8Array(readFileSync(CLIP))) };
  const clipBytes = clip.videoFrames.reduce((s, f) => s + f.length, 0);
  log(`clip: ${clip.videoFrames.length} VP8 frames, ${((clipBytes * 8 * 30) / clip.videoFrames.length / 1e6).toFixed(2)} Mbit/s at 30 fps`);
  installMeetingFetch();

  let setupLink = "";
  const conclaved = await startServer(
    "conclaved",
    "dotnet",
    [
      join(REPO, "src/Conclave.Daemon/bin/Release/net10.0/conclaved.dll"),
      `--Conclave:StateDirectory=${STATE}`,
      `--Conclave:Https=${HTTPS.host}:${HTTPS.port}`,
      `--Conclave:Media=${MEDIA_ADDRESS}:10000`,
      `--Conclave:Metrics=${METRICS}`,
      ...(MEDIA_LOOPS ? [`--Conclave:MediaLoops=${MEDIA_LOOPS}`] : []),
    ],
    /Conclave is up/,
    (line) => {
      const link = /https:\/\/\S+\/setup\?token=\S+/.exec(line);
      if (link) setupLink = link[0];
    },
  );
  const janusConf = writeJanusConfig(join(OUT, "janus"), ROOMS, MEDIA_INTERFACE);
  const janus = spawn("janus", ["-C", join(janusConf, "janus.jcfg"), "-F", janusConf, "-N"], { stdio: ["ignore", "pipe", "pipe"] });
  const janusLog = createWriteStream(join(OUT, "janus.log"));
  janus.stdout.pipe(janusLog);
  janus.stderr.pipe(janusLog);
  const stopServers = () => {
    conclaved.kill("SIGTERM");
    janus.kill("SIGTERM");
  };
  process.on("exit", stopServers);
  try {
    await waitFor(() => setupLink !== "", 10_000, "the setup link in conclaved's log");
    log(`conclaved pid ${conclaved.pid} up; admitting ${ROOMS * (MAX_SUBSCRIBERS + 1)} members through the console`);
    const admitted = await admitParticipants(HTTPS, setupLink, ROOMS, MAX_SUBSCRIBERS + 1);
    let janusUp = false;
    for (let i = 0; i < 100 && !janusUp; i++) {
      janusUp = await fetch(`${JANUS_API}/info`).then((r) => r.ok, () => false);
      if (!janusUp) await sleep(100);
    }
    if (!janusUp) throw new Error("Janus did not answer on its HTTP API (see janus.log)");
    log(`janus pid ${janus.pid} up`);

    const targets = { conclave: conclaveTarget(conclaved.pid!, admitted.rooms, clip), janus: janusTarget(janus.pid!, clip) };
    const results: WindowResult[] = [];
    const profiles: Record<string, Set<string>> = { conclave: new Set(), janus: new Set() };
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which server goes first, so neither always runs right after the other.
      const order: ServerName[] = round % 2 === 1 ? ["conclave", "janus"] : ["janus", "conclave"];
      for (const name of order) results.push(...(await runRound(targets[name], round, profiles[name])));
    }
    writeFileSync(join(OUT, "results.json"), JSON.stringify(results, null, 2));
    const table = report(results, { conclave: [...profiles.conclave], janus: [...profiles.janus] });
    writeFileSync(join(OUT, "results.md"), table + "\n");
    plot(results);
    console.log("\n" + table + `\n\nPlot: ${join(OUT, "cpu-vs-subscribers.png")}`);
  } finally {
    stopServers();
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
