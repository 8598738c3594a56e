using System.Buffers.Binary;
using Conclave.Media.Rtp;

namespace Conclave.Media.Rtcp;

/// <summary>One packet's fate in transport-cc feedback: received or not, and when (µs after reference time 0).</summary>
public readonly record struct TransportCcPacketStatus(ushort SequenceNumber, bool Received, long ArrivalUs);

/// <summary>Reads transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).</summary>
public static class TransportCcFeedback
{
    /// <summary>
    /// Decodes every packet status; <paramref name="statuses"/> must hold the packet
    /// status count. Arrival times are reference time × 64 ms plus the running deltas.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, Span<TransportCcPacketStatus> statuses, out int count, out byte feedbackCount)
    {
        count = 0;
        feedbackCount = 0;
        if (!RtcpHeader.TryRead(packet, out var header) || header.PacketType != RtcpPacketType.TransportFeedback
            || header.Fmt != RtcpFeedbackFormat.TransportWideCc || header.LengthInBytes < 20) return false;
        var body = packet[..header.LengthInBytes];
        if (header.Padding) body = body[..^Math.Min(body[^1], body.Length - 20)];
        ushort baseSequence = BinaryPrimitives.ReadUInt16BigEndian(body[12..]);
        int statusCount = BinaryPrimitives.ReadUInt16BigEndian(body[14..]);
        int referenceTime = (body[16] << 16) | (body[17] << 8) | body[18];
        if ((referenceTime & 0x800000) != 0) referenceTime |= unchecked((int)0xFF000000); // 24-bit signed
        feedbackCount = body[19];
        if (statuses.Length < statusCount) return false;

        Span<byte> symbols = statusCount <= 1024 ? stackalloc byte[statusCount] : new byte[statusCount];
        int offset = 20, decoded = 0;
        while (decoded < statusCount)
        {
            if (offset + 2 > body.Length) return false;
            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(body[offset..]);
            offset += 2;
            if ((chunk & 0x8000) == 0)
            {
                byte symbol = (byte)((chunk >> 13) & 0x03);
                int run = chunk & 0x1FFF;
                for (int k = 0; k < run && decoded < statusCount; k++) symbols[decoded++] = symbol;
            }
            else if ((chunk & 0x4000) == 0)
            {
                for (int k = 0; k < 14 && decoded < statusCount; k++) symbols[decoded++] = (byte)((chunk >> (13 - k)) & 0x01);
            }
            else
            {
                for (int k = 0; k < 7 && decoded < statusCount; k++) symbols[decoded++] = (byte)((chunk >> (12 - 2 * k)) & 0x03);
            }
        }
        long timeUs = (long)referenceTime * TransportCcFeedbackBuilder.ReferenceTimeUnitUs;
        for (int i = 0; i < statusCount; i++)
        {
            ushort sequence = SequenceNumber.Add(baseSequence, i);
            switch (symbols[i])
            {
                case TransportCcFeedbackBuilder.SmallDelta:
                    if (offset + 1 > body.Length) return false;
                    timeUs += body[offset++] * TransportCcFeedbackBuilder.DeltaUnitUs;
                    statuses[i] = new TransportCcPacketStatus(sequence, true, timeUs);
                    break;
                case TransportCcFeedbackBuilder.LargeDelta:
                    if (offset + 2 > body.Length) return false;
                    timeUs += BinaryPrimitives.ReadInt16BigEndian(body[offset..]) * TransportCcFeedbackBuilder.DeltaUnitUs;
                    offset += 2;
                    statuses[i] = new TransportCcPacketStatus(sequence, true, timeUs);
                    break;
                default:
                    statuses[i] = new TransportCcPacketStatus(sequence, false, 0);
                    break;
            }
        }
        count = statusCount;
        return true;
    }
}
