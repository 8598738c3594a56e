using Conclave.Media.Rtp;

namespace Conclave.Media.Sfu;

/// <summary>What <see cref="LossTracker.OnReceived"/> made of one packet's sequence number.</summary>
internal enum PacketArrival
{
    /// <summary>Newer than every packet before it; any sequence numbers skipped are missing now.</summary>
    Newest,
    /// <summary>Older than the newest, and not received before: a gap filled, by a late original or a retransmission.</summary>
    Late,
    /// <summary>Received before: the original and its retransmission must not both be forwarded.</summary>
    Duplicate,
    /// <summary>More than <see cref="LossTracker.WindowPackets"/> behind the newest: too late to use and too old to tell from a duplicate.</summary>
    TooLate,
}

/// <summary>
/// Loss of one published video stream on its way to the appliance, and the generic NACKs
/// (RFC 4585 §6.2.1) that ask the publisher to resend it: the browser answers with RTX
/// (RFC 4588), so subscribers and recordings get the packet instead of a hole until the
/// next key frame. Keeps the highest extended sequence number (RFC 3550 §A.1), which of
/// the last <see cref="WindowPackets"/> were received, and for each missing one when it
/// went missing, when to ask next and how often it was asked.
/// There is no RTT estimate (no RR/SR round trip is measured): a fixed
/// <see cref="ResendIntervalMs"/> stands for one.
/// NOTE: runs on the media loop thread; allocates only at construction.
/// </summary>
internal sealed class LossTracker
{
    /// <summary>
    /// As many packets as <see cref="PacketCache"/> holds: about 1.5 s of 2 Mbit/s video,
    /// longer than <see cref="GiveUpAfterMs"/>. A power of two and a multiple of 64: slots
    /// are sequence numbers modulo the window, kept as bits of 64-bit words.
    /// </summary>
    public const int WindowPackets = PacketCache.Capacity;

    /// <summary>
    /// A gap is asked for 20 ms after it appeared, not at once: Wi-Fi and the sender's
    /// pacer reorder packets by a few milliseconds, and a packet that is only late needs
    /// no retransmission. 20 ms is two of the loop's ticks and a fifth of the ~100 ms a
    /// browser's jitter buffer waits, so the answer still comes in time.
    /// </summary>
    public const long ReorderDelayMs = 20;

    /// <summary>
    /// A packet is asked again when no answer came within this: one round trip to the
    /// publisher and its pacer's delay. Unmeasured, so fixed at 40 ms — a LAN's round trip
    /// is a few ms, and libwebrtc's pacer sends a retransmission within ~10–25 ms.
    /// </summary>
    public const long ResendIntervalMs = 40;

    /// <summary>
    /// Asks per missing packet: three, as a retransmission lost too is asked again, but a
    /// packet the publisher no longer has (libwebrtc keeps 1 s of history) is not asked forever.
    /// </summary>
    public const int MaxNacksPerPacket = 3;

    /// <summary>A packet missing this long is given up: the publisher's history no longer holds it.</summary>
    public const long GiveUpAfterMs = 1_000;

    /// <summary>
    /// Packets asked for per second, asks again included: a quarter second of a 2.5 Mbit/s
    /// stream lost at once, or 30 % of it lost and asked three times. Loss beyond that is a
    /// link retransmission cannot save; subscribers' key-frame requests repair it instead.
    /// </summary>
    public const int MaxNackedPacketsPerSecond = 250;

    /// <summary>
    /// Packets one NACK asks for: 128 FCI entries at worst, 524 bytes, within any path MTU.
    /// More due at once wait for the next tick.
    /// </summary>
    public const int MaxPacketsPerNack = 128;

    private const int SlotMask = WindowPackets - 1;
    private const int BitsPerWord = 64;

    private readonly ulong[] _received = new ulong[WindowPackets / BitsPerWord];
    private readonly ulong[] _missing = new ulong[WindowPackets / BitsPerWord];
    private readonly long[] _missingSinceMs = new long[WindowPackets];
    private readonly long[] _nextNackMs = new long[WindowPackets];
    private readonly byte[] _nacks = new byte[WindowPackets];
    private readonly ushort[] _due = new ushort[MaxPacketsPerNack];
    private readonly EventBudget _budget = new(MaxNackedPacketsPerSecond, 1_000);
    private long _highest;
    private bool _started;
    private int _missingCount;

    /// <summary>NACKs written: one per tick with something to ask.</summary>
    public long NacksSent { get; private set; }

    /// <summary>Sequence numbers asked for, each ask counted.</summary>
    public long PacketsNacked { get; private set; }

    /// <summary>Missing packets that arrived as a retransmission.</summary>
    public long PacketsRecovered { get; private set; }

    /// <summary>Missing packets no longer waited for: unanswered for a second, pushed out of the window, or over the budget.</summary>
    public long PacketsGivenUp { get; private set; }

    /// <summary>
    /// One packet of the stream arrived, <paramref name="retransmitted"/> when it came as
    /// RTX. A gap behind a newer packet is missing from now on.
    /// </summary>
    public PacketArrival OnReceived(ushort sequenceNumber, bool retransmitted, long nowMs)
    {
        if (!_started)
        {
            _started = true;
            _highest = sequenceNumber;
            Set(_received, Slot(sequenceNumber));
            return PacketArrival.Newest;
        }
        int distance = SequenceNumber.Distance((ushort)_highest, sequenceNumber);
        if (distance > 0)
        {
            Advance(_highest + distance, nowMs);
            return PacketArrival.Newest;
        }
        if (-distance >= WindowPackets) return PacketArrival.TooLate;
        int slot = Slot(_highest + distance);
        if (IsSet(_received, slot)) return PacketArrival.Duplicate;
        Set(_received, slot);
        if (IsSet(_missing, slot))
        {
            Clear(_missing, slot);
            _missingCount--;
        }
        if (retransmitted) PacketsRecovered++;
        return PacketArrival.Late;
    }

    /// <summary>
    /// The tracker's timers at <paramref name="nowMs"/>: gives up packets missing for
    /// <see cref="GiveUpAfterMs"/>, and returns the sequence numbers to ask for now, oldest
    /// first (the span is reused by the next call). A packet the budget cannot afford is
    /// given up at once and counted in <paramref name="overBudget"/>.
    /// </summary>
    public ReadOnlySpan<ushort> TakeDue(long nowMs, out int overBudget)
    {
        overBudget = 0;
        if (_missingCount == 0) return default;
        int due = 0;
        for (long sequence = _highest - WindowPackets + 1; sequence < _highest && due < _due.Length; sequence++)
        {
            int slot = Slot(sequence);
            if (_missing[slot / BitsPerWord] == 0)
            {
                sequence += BitsPerWord - 1 - slot % BitsPerWord; // skip to the next word
                continue;
            }
            if (!IsSet(_missing, slot)) continue;
            if (nowMs - _missingSinceMs[slot] >= GiveUpAfterMs)
            {
                GiveUp(slot);
                continue;
            }
            if (nowMs < _nextNackMs[slot] || _nacks[slot] >= MaxNacksPerPacket) continue;
            if (!_budget.TryTake(nowMs))
            {
                GiveUp(slot);
                overBudget++;
                continue;
            }
            _nacks[slot]++;
            _nextNackMs[slot] = nowMs + ResendIntervalMs;
            _due[due++] = (ushort)sequence;
        }
        if (due == 0) return default;
        NacksSent++;
        PacketsNacked += due;
        return _due.AsSpan(0, due);
    }

    /// <summary>
    /// The stream moved on to <paramref name="newest"/>: the sequence numbers between are
    /// missing. A jump past the whole window is a discontinuity, not loss to repair: what
    /// was missing is given up, and the jump is not asked for.
    /// </summary>
    private void Advance(long newest, long nowMs)
    {
        if (newest - _highest > WindowPackets)
        {
            PacketsGivenUp += _missingCount;
            _missingCount = 0;
            Array.Clear(_missing);
            Array.Clear(_received);
        }
        else
        {
            for (long sequence = _highest + 1; sequence < newest; sequence++)
            {
                int slot = Slot(sequence);
                if (IsSet(_missing, slot)) PacketsGivenUp++; // a packet a window older held the slot
                else _missingCount++;
                Clear(_received, slot);
                Set(_missing, slot);
                _missingSinceMs[slot] = nowMs;
                _nextNackMs[slot] = nowMs + ReorderDelayMs;
                _nacks[slot] = 0;
            }
        }
        int newestSlot = Slot(newest);
        if (IsSet(_missing, newestSlot)) GiveUp(newestSlot);
        Set(_received, newestSlot);
        _highest = newest;
    }

    private void GiveUp(int slot)
    {
        Clear(_missing, slot);
        _missingCount--;
        PacketsGivenUp++;
    }

    private static int Slot(long extendedSequence) => (int)(extendedSequence & SlotMask);

    private static bool IsSet(ulong[] bits, int slot) => (bits[slot / BitsPerWord] & (1UL << (slot % BitsPerWord))) != 0;

    private static void Set(ulong[] bits, int slot) => bits[slot / BitsPerWord] |= 1UL << (slot % BitsPerWord);

    private static void Clear(ulong[] bits, int slot) => bits[slot / BitsPerWord] &= ~(1UL << (slot % BitsPerWord));
}
