using System.Buffers.Binary;
using Conclave.Media.Rtcp;
using Conclave.Media.Tests.Rtcp;

namespace Conclave.Fuzz.Targets;

/// <summary>
/// A decrypted RTCP compound packet from a participant, walked as the SFU walks it:
/// every packet it holds goes to the reader of its type. What a reader reads, its
/// writer writes back into a packet the same reader reads the same way.
/// </summary>
public static class RtcpTarget
{
    /// <summary>The 24-bit reference time of transport-cc feedback wraps after 2²⁴ × 64 ms.</summary>
    private const long ReferenceTimeWrapUs = (1L << 24) * 64_000;

    private static readonly TransportCcPacketStatus[] Statuses = new TransportCcPacketStatus[ushort.MaxValue + 1];
    private static readonly TransportCcPacketStatus[] StatusesAgain = new TransportCcPacketStatus[ushort.MaxValue + 1];

    public static void Run(ReadOnlySpan<byte> compound)
    {
        bool valid = RtcpCompoundReader.IsValid(compound);
        var reader = new RtcpCompoundReader(compound);
        int consumed = 0;
        while (reader.TryReadNext(out var header, out var packet))
        {
            Invariant.Holds(compound.Overlaps(packet, out int offset) && offset == consumed, "a packet does not start where the one before it ended");
            Invariant.Holds(packet.Length == header.LengthInBytes && packet.Length % 4 == 0, "a packet's length is not its header's, in 32-bit words");
            consumed += packet.Length;
            Read(header, packet);
        }
        Invariant.Holds(!valid || consumed == compound.Length, "a valid compound was not read to its end");
    }

    private static void Read(RtcpHeader header, ReadOnlySpan<byte> packet)
    {
        switch (header.PacketType)
        {
            case RtcpPacketType.SenderReport: SenderReportRoundTrip(packet); break;
            case RtcpPacketType.ReceiverReport: ReceiverReportRoundTrip(packet); break;
            case RtcpPacketType.SourceDescription: CnameRoundTrip(packet); break;
            case RtcpPacketType.Goodbye: ByeRoundTrip(packet); break;
            case RtcpPacketType.TransportFeedback when header.Fmt == RtcpFeedbackFormat.Nack: NackRoundTrip(header, packet); break;
            case RtcpPacketType.TransportFeedback when header.Fmt == RtcpFeedbackFormat.TransportWideCc: TransportCcRoundTrip(header, packet); break;
            case RtcpPacketType.PayloadFeedback when header.Fmt == RtcpFeedbackFormat.Fir: FirRoundTrip(header, packet); break;
            case RtcpPacketType.PayloadFeedback when header.Fmt == RtcpFeedbackFormat.ApplicationLayer: RembRoundTrip(header, packet); break;
        }
    }

    private static void SenderReportRoundTrip(ReadOnlySpan<byte> packet)
    {
        if (!SenderReport.TryParse(packet, out var report)) return;
        for (int i = 0; i < report.ReportCount; i++) report.GetReport(i);
        if (report.ReportCount != 0) return; // the SFU's SR carries no report blocks
        Span<byte> buffer = stackalloc byte[28];
        Invariant.Holds(RtcpTestWriter.TryWriteSenderReport(buffer, report.Ssrc, report.NtpTimestamp, report.RtpTimestamp, report.PacketCount, report.OctetCount, out int length), "TryWriteSenderReport refused");
        Invariant.Holds(SenderReport.TryParse(buffer[..length], out var again) && again.Ssrc == report.Ssrc && again.NtpTimestamp == report.NtpTimestamp
            && again.RtpTimestamp == report.RtpTimestamp && again.PacketCount == report.PacketCount && again.OctetCount == report.OctetCount, "an SR changed in the round trip");
    }

    private static void ReceiverReportRoundTrip(ReadOnlySpan<byte> packet)
    {
        if (!ReceiverReport.TryParse(packet, out var report)) return;
        var blocks = new ReportBlock[report.ReportCount];
        for (int i = 0; i < blocks.Length; i++) blocks[i] = report.GetReport(i);
        var buffer = new byte[8 + ReportBlock.Length * blocks.Length];
        Invariant.Holds(RtcpTestWriter.TryWriteReceiverReport(buffer, report.Ssrc, blocks, out int length), "TryWriteReceiverReport refused");
        Invariant.Holds(ReceiverReport.TryParse(buffer.AsSpan(0, length), out var again) && again.Ssrc == report.Ssrc && again.ReportCount == blocks.Length, "an RR changed in the round trip");
        for (int i = 0; i < blocks.Length; i++) Invariant.Holds(again.GetReport(i) == blocks[i], "a report block changed in the round trip");
    }

    private static void CnameRoundTrip(ReadOnlySpan<byte> packet)
    {
        if (!RtcpSourceItems.TryGetFirstCname(packet, out uint ssrc, out var cname)) return;
        Span<byte> buffer = stackalloc byte[8 + 2 + byte.MaxValue + 4];
        Invariant.Holds(RtcpTestWriter.TryWriteSdesCname(buffer, ssrc, cname, out int length), "TryWriteSdesCname refused a CNAME of at most 255 bytes");
        Invariant.Holds(RtcpSourceItems.TryGetFirstCname(buffer[..length], out uint ssrcAgain, out var cnameAgain) && ssrcAgain == ssrc && cnameAgain.SequenceEqual(cname), "a CNAME changed in the round trip");
    }

    private static void ByeRoundTrip(ReadOnlySpan<byte> packet)
    {
        Span<uint> ssrcs = stackalloc uint[31];
        if (!RtcpSourceItems.TryGetByeSsrcs(packet, ssrcs, out int count)) return;
        Span<byte> buffer = stackalloc byte[4 + 4 * 31];
        Invariant.Holds(RtcpTestWriter.TryWriteBye(buffer, ssrcs[..count], out int length), "TryWriteBye refused at most 31 SSRCs");
        Span<uint> again = stackalloc uint[31];
        Invariant.Holds(RtcpSourceItems.TryGetByeSsrcs(buffer[..length], again, out int countAgain) && again[..countAgain].SequenceEqual(ssrcs[..count]), "a BYE changed in the round trip");
    }

    private static void NackRoundTrip(RtcpHeader header, ReadOnlySpan<byte> packet)
    {
        var lost = new List<ushort>();
        var entries = new NackEnumerator(packet);
        while (entries.MoveNext()) lost.Add(entries.Current);
        // RFC 4585 §6.2.1: each 4-byte FCI entry names its PID and up to 16 more.
        Invariant.Holds(lost.Count <= 17 * ((packet.Length - 12) / 4), "a NACK named more packets than its entries hold");
        if (lost.Count == 0) return;
        var buffer = new byte[12 + 4 * lost.Count];
        Invariant.Holds(RtcpTestWriter.TryWriteNack(buffer, header.SenderSsrc, header.MediaSsrc, lost.ToArray(), out int length), "TryWriteNack refused a large enough buffer");
        var again = new HashSet<ushort>();
        var entriesAgain = new NackEnumerator(buffer.AsSpan(0, length));
        while (entriesAgain.MoveNext()) again.Add(entriesAgain.Current);
        Invariant.Holds(again.SetEquals(lost), "a NACK's lost packets changed in the round trip");
    }

    private static void TransportCcRoundTrip(RtcpHeader header, ReadOnlySpan<byte> packet)
    {
        if (!TransportCcFeedback.TryParse(packet, Statuses, out int count, out _)) return;
        ushort baseSequence = BinaryPrimitives.ReadUInt16BigEndian(packet[12..]);
        int first = -1, last = -1;
        bool beforeZero = false;
        for (int i = 0; i < count; i++)
        {
            var status = Statuses[i];
            Invariant.Holds(status.SequenceNumber == (ushort)(baseSequence + i) && (status.Received || status.ArrivalUs == 0), "transport-cc statuses are not consecutive from the base");
            if (!status.Received) continue;
            if (first < 0) first = i;
            last = i;
            beforeZero |= status.ArrivalUs < 0;
        }
        // The builder writes one feedback per 400 packets, from the first received to the
        // last, and takes arrival times from the SFU's monotonic clock, never negative.
        if (first < 0 || last - first + 1 > TransportCcFeedbackBuilder.MaxPacketsPerFeedback || beforeZero) return;
        var builder = new TransportCcFeedbackBuilder();
        for (int i = first; i <= last; i++)
        {
            if (Statuses[i].Received) builder.OnPacketReceived(Statuses[i].SequenceNumber, Statuses[i].ArrivalUs);
        }
        var buffer = new byte[4096];
        Invariant.Holds(builder.TryWriteFeedback(buffer, header.SenderSsrc, header.MediaSsrc, out int length), "the builder wrote no feedback for received packets");
        Invariant.Holds(TransportCcFeedback.TryParse(buffer.AsSpan(0, length), StatusesAgain, out int countAgain, out _) && countAgain == last - first + 1, "rewritten transport-cc feedback does not parse to the same count");
        for (int i = 0; i < countAgain; i++)
        {
            var original = Statuses[first + i];
            var again = StatusesAgain[i];
            Invariant.Holds(again.SequenceNumber == original.SequenceNumber && again.Received == original.Received
                && (!original.Received || (again.ArrivalUs - original.ArrivalUs) % ReferenceTimeWrapUs == 0), "a transport-cc status changed in the round trip");
        }
    }

    private static void FirRoundTrip(RtcpHeader header, ReadOnlySpan<byte> packet)
    {
        Span<byte> buffer = stackalloc byte[20];
        var entries = new FirEnumerator(packet);
        while (entries.MoveNext())
        {
            Invariant.Holds(RtcpTestWriter.TryWriteFir(buffer, header.SenderSsrc, entries.Current.Ssrc, entries.Current.CommandSequence, out int length), "TryWriteFir refused");
            var again = new FirEnumerator(buffer[..length]);
            Invariant.Holds(again.MoveNext() && again.Current == entries.Current && !again.MoveNext(), "a FIR entry changed in the round trip");
        }
    }

    private static void RembRoundTrip(RtcpHeader header, ReadOnlySpan<byte> packet)
    {
        if (!Remb.TryParse(packet, out var remb)) return;
        var ssrcs = new uint[remb.SsrcCount];
        for (int i = 0; i < ssrcs.Length; i++) ssrcs[i] = remb.GetSsrc(i);
        if (remb.BitrateBps == ulong.MaxValue) return; // an exponent past 46 saturates: nothing to write back
        var buffer = new byte[20 + 4 * ssrcs.Length];
        Invariant.Holds(RtcpTestWriter.TryWriteRemb(buffer, header.SenderSsrc, remb.BitrateBps, ssrcs, out int length), "TryWriteRemb refused");
        Invariant.Holds(Remb.TryParse(buffer.AsSpan(0, length), out var again) && again.BitrateBps == remb.BitrateBps && again.SsrcCount == ssrcs.Length, "a REMB bitrate changed in the round trip");
        for (int i = 0; i < ssrcs.Length; i++) Invariant.Holds(again.GetSsrc(i) == ssrcs[i], "a REMB SSRC changed in the round trip");
    }
}
