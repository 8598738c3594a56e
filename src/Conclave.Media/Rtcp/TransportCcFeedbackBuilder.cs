using System.Buffers.Binary;
using Conclave.Media.Rtp;

namespace Conclave.Media.Rtcp;

/// <summary>
/// Collects arrival times of packets carrying a transport-wide sequence number and
/// writes transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// §3.1), from which Chromium's send-side estimator computes its bitrate:
/// <code>
/// |V=2|P|  FMT=15 |    PT=205     |           length              |
/// |                     SSRC of packet sender                     |
/// |                      SSRC of media source                     |
/// |      base sequence number     |      packet status count      |
/// |                 reference time                | fb pkt. count |
/// |          packet chunk         |         packet chunk          |
/// |         recv delta            |  recv delta   | zero padding  |
/// </code>
/// Arrays are allocated once; recording and writing allocate nothing.
/// NOTE: not thread-safe; the media loop owns it.
/// </summary>
public sealed class TransportCcFeedbackBuilder
{
    /// <summary>Packets remembered: 16,384 is over 10 s of a 1.5 Mbit/s publisher.</summary>
    public const int WindowPackets = 1 << 14;

    /// <summary>Packets per feedback: at most ~1,600 bytes of chunks and deltas, inside one datagram.</summary>
    public const int MaxPacketsPerFeedback = 400;

    internal const int DeltaUnitUs = 250;            // §3.1.5: receive deltas in 250 µs
    internal const int ReferenceTimeUnitUs = 64_000; // §3.1: reference time in 64 ms
    internal const byte NotReceived = 0, SmallDelta = 1, LargeDelta = 2;

    private readonly long[] _extendedSequence = new long[WindowPackets];
    private readonly long[] _arrivalUs = new long[WindowPackets];
    private readonly byte[] _symbols = new byte[MaxPacketsPerFeedback];
    private readonly short[] _deltas = new short[MaxPacketsPerFeedback];
    private bool _started;
    private long _nextToReport;
    private long _highest;
    private byte _feedbackCount;
    private bool _sentAny; // the 8-bit count wraps, so it cannot say whether feedback was ever sent

    public TransportCcFeedbackBuilder()
    {
        Array.Fill(_extendedSequence, -1);
    }

    /// <summary>True when packets arrived that no feedback has covered yet.</summary>
    public bool HasUnreported => _started && _nextToReport <= _highest;

    public void OnPacketReceived(ushort transportSequenceNumber, long arrivalTimeUs)
    {
        long extended;
        if (!_started)
        {
            _started = true;
            extended = transportSequenceNumber;
            _nextToReport = extended;
            _highest = extended;
        }
        else
        {
            // Unwrap next to the highest seen: the 16-bit difference decides the direction.
            extended = _highest + SequenceNumber.Distance((ushort)_highest, transportSequenceNumber);
        }
        if (extended < _nextToReport)
        {
            // Reordered ahead of the first packet: nothing is reported yet, so widen the start.
            if (_sentAny || _highest - extended >= WindowPackets) return;
            _nextToReport = extended;
        }
        if (extended > _highest) _highest = extended;
        if (_highest - _nextToReport >= WindowPackets) _nextToReport = _highest - WindowPackets + 1;
        int slot = (int)(extended & (WindowPackets - 1));
        _extendedSequence[slot] = extended;
        _arrivalUs[slot] = arrivalTimeUs;
    }

    /// <summary>Writes one feedback packet for the packets not yet reported; false when there are none.</summary>
    public bool TryWriteFeedback(Span<byte> destination, uint senderSsrc, uint mediaSsrc, out int written)
    {
        written = 0;
        if (!HasUnreported) return false;
        long first = _nextToReport;
        long last = Math.Min(_highest, first + MaxPacketsPerFeedback - 1);
        int count = (int)(last - first + 1);

        long referenceUs = -1;
        for (long sequence = first; sequence <= last && referenceUs < 0; sequence++)
        {
            if (TryGetArrival(sequence, out long arrival)) referenceUs = arrival;
        }
        if (referenceUs < 0)
        {
            _nextToReport = last + 1;
            return false;
        }
        long referenceTime = FloorDiv(referenceUs, ReferenceTimeUnitUs);
        long previousUs = referenceTime * ReferenceTimeUnitUs;
        int deltaBytes = 0;
        for (int i = 0; i < count; i++)
        {
            if (!TryGetArrival(first + i, out long arrival))
            {
                _symbols[i] = NotReceived;
                continue;
            }
            long ticks = (long)Math.Round((arrival - previousUs) / (double)DeltaUnitUs, MidpointRounding.AwayFromZero);
            ticks = Math.Clamp(ticks, short.MinValue, short.MaxValue);
            _deltas[i] = (short)ticks;
            _symbols[i] = ticks is >= 0 and <= 255 ? SmallDelta : LargeDelta;
            deltaBytes += _symbols[i] == SmallDelta ? 1 : 2;
            // Advance by the quantised delta so rounding errors do not accumulate.
            previousUs += ticks * DeltaUnitUs;
        }

        const int headerLength = 20;
        if (destination.Length < headerLength + 2 * count + deltaBytes + 4) return false;
        int offset = headerLength;
        for (int i = 0; i < count;)
        {
            int run = 1;
            while (i + run < count && run < 0x1FFF && _symbols[i + run] == _symbols[i]) run++;
            ushort chunk;
            if (run >= 7)
            {
                // §3.1.3 run length chunk: T=0, S (2 bits), run length (13 bits).
                chunk = (ushort)((_symbols[i] << 13) | run);
                i += run;
            }
            else
            {
                // §3.1.4 status vector chunk: T=1, S=1 (two-bit symbols), seven symbols.
                chunk = 0xC000;
                for (int k = 0; k < 7; k++)
                {
                    byte symbol = i + k < count ? _symbols[i + k] : NotReceived;
                    chunk |= (ushort)(symbol << (12 - 2 * k));
                }
                i += 7;
            }
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], chunk);
            offset += 2;
        }
        for (int i = 0; i < count; i++)
        {
            if (_symbols[i] == SmallDelta) destination[offset++] = (byte)_deltas[i];
            else if (_symbols[i] == LargeDelta)
            {
                BinaryPrimitives.WriteInt16BigEndian(destination[offset..], _deltas[i]);
                offset += 2;
            }
        }
        int padding = (4 - (offset & 3)) & 3;
        if (padding > 0)
        {
            // RFC 3550 §6.4.1 padding: zeros, the last octet counting them, P set.
            destination.Slice(offset, padding).Clear();
            offset += padding;
            destination[offset - 1] = (byte)padding;
        }
        RtcpWriter.TryWriteFeedbackHeader(destination, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.TransportWideCc, senderSsrc, mediaSsrc, offset - 12, out _);
        if (padding > 0) destination[0] |= 0x20;
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], (ushort)first);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)count);
        destination[16] = (byte)(referenceTime >> 16);
        destination[17] = (byte)(referenceTime >> 8);
        destination[18] = (byte)referenceTime;
        destination[19] = _feedbackCount++;
        _sentAny = true;
        _nextToReport = last + 1;
        written = offset;
        return true;
    }

    private bool TryGetArrival(long extendedSequence, out long arrivalUs)
    {
        int slot = (int)(extendedSequence & (WindowPackets - 1));
        arrivalUs = _arrivalUs[slot];
        return _extendedSequence[slot] == extendedSequence;
    }

    private static long FloorDiv(long value, long divisor) => value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);
}
