using Conclave.Media.Rtcp;
using Conclave.Media.Rtp;
using CsCheck;

namespace Conclave.Media.Tests.Rtcp;

public sealed class RtcpTests
{
    private static byte[] Compound(params byte[][] packets) => packets.SelectMany(p => p).ToArray();

    private static byte[] Write(Func<byte[], int> write)
    {
        var buffer = new byte[1500];
        return buffer[..write(buffer)];
    }

    private static byte[] Pli(uint sender, uint media) => Write(b => RtcpWriter.TryWritePli(b, sender, media, out int n) ? n : -1);
    private static byte[] Nack(uint sender, uint media, ushort[] lost) => Write(b => RtcpTestWriter.TryWriteNack(b, sender, media, lost, out int n) ? n : -1);

    [Fact]
    public void A_compound_of_every_kind_is_walked_in_order()
    {
        var rr = Write(b => RtcpTestWriter.TryWriteReceiverReport(b, 1, [new ReportBlock(9, 25, -3, 70000, 12, 34, 56)], out int n) ? n : -1);
        var sdes = Write(b => RtcpTestWriter.TryWriteSdesCname(b, 1, "cname-1"u8, out int n) ? n : -1);
        var nack = Nack(1, 9, [10, 12]);
        var pli = Pli(1, 9);
        var fir = Write(b => RtcpTestWriter.TryWriteFir(b, 1, 9, 7, out int n) ? n : -1);
        var remb = Write(b => RtcpTestWriter.TryWriteRemb(b, 1, 1_500_000, [9, 10], out int n) ? n : -1);
        var bye = Write(b => RtcpTestWriter.TryWriteBye(b, [1], out int n) ? n : -1);
        var builder = new TransportCcFeedbackBuilder();
        builder.OnPacketReceived(5, 1_000_000);
        var twcc = Write(b => builder.TryWriteFeedback(b, 1, 9, out int n) ? n : -1);
        var compound = Compound(rr, sdes, nack, pli, fir, remb, bye, twcc);

        Assert.True(RtcpCompoundReader.IsValid(compound));
        var reader = new RtcpCompoundReader(compound);
        var seen = new List<(byte, byte)>();
        while (reader.TryReadNext(out var header, out var packet))
        {
            seen.Add((header.PacketType, header.Fmt));
            switch (header.PacketType)
            {
                case RtcpPacketType.ReceiverReport:
                    Assert.True(ReceiverReport.TryParse(packet, out var report));
                    Assert.Equal(new ReportBlock(9, 25, -3, 70000, 12, 34, 56), report.GetReport(0));
                    break;
                case RtcpPacketType.SourceDescription:
                    Assert.True(RtcpSourceItems.TryGetFirstCname(packet, out uint ssrc, out var cname));
                    Assert.Equal((1u, "cname-1"), (ssrc, System.Text.Encoding.ASCII.GetString(cname)));
                    break;
                case RtcpPacketType.PayloadFeedback when header.Fmt == RtcpFeedbackFormat.ApplicationLayer:
                    Assert.True(Remb.TryParse(packet, out var estimate));
                    Assert.InRange(estimate.BitrateBps, 1_499_990UL, 1_500_000UL);
                    Assert.Equal(2, estimate.SsrcCount);
                    Assert.Equal(10u, estimate.GetSsrc(1));
                    break;
                case RtcpPacketType.PayloadFeedback when header.Fmt == RtcpFeedbackFormat.Fir:
                    var entries = new FirEnumerator(packet);
                    Assert.True(entries.MoveNext());
                    Assert.Equal(new FirEntry(9, 7), entries.Current);
                    Assert.False(entries.MoveNext());
                    break;
                case RtcpPacketType.Goodbye:
                    var ssrcs = new uint[4];
                    Assert.True(RtcpSourceItems.TryGetByeSsrcs(packet, ssrcs, out int count));
                    Assert.Equal(1, count);
                    break;
            }
        }
        Assert.Equal(new (byte, byte)[] { (201, 1), (202, 1), (205, 1), (206, 1), (206, 4), (206, 15), (203, 1), (205, 15) }, seen);
    }

    [Fact]
    public void A_sender_report_round_trips()
    {
        var sr = Write(b => RtcpTestWriter.TryWriteSenderReport(b, 0xAB, 0xE000000080000000, 48000, 10, 1000, out int n) ? n : -1);
        Assert.True(SenderReport.TryParse(sr, out var report));
        Assert.Equal((0xABu, 0xE000000080000000UL, 48000u, 10u, 1000u), (report.Ssrc, report.NtpTimestamp, report.RtpTimestamp, report.PacketCount, report.OctetCount));
    }

    [Fact]
    public void Nack_packs_and_unpacks_any_set_of_losses_across_the_wrap_RFC_4585_section_6_2_1()
    {
        Gen.Select(Gen.UShort, Gen.Int[1, 60].Array[1, 30]).Sample((start, gaps) =>
        {
            var lost = new List<ushort>();
            ushort seq = start;
            foreach (int gap in gaps)
            {
                lost.Add(seq);
                seq = SequenceNumber.Add(seq, gap);
            }
            var packet = Nack(1, 2, lost.ToArray());
            Assert.True(RtcpCompoundReader.IsValid(packet));
            var read = new List<ushort>();
            var nacked = new NackEnumerator(packet);
            while (nacked.MoveNext()) read.Add(nacked.Current);
            Assert.Equal(lost, read);
        }, iter: 500);
    }

    [Fact]
    public void Malformed_compounds_are_rejected()
    {
        var pli = Pli(1, 2);
        var tooLong = (byte[])pli.Clone();
        tooLong[3] = 9;
        var badVersion = (byte[])pli.Clone();
        badVersion[0] = 0x41;
        var trailing = Compound(pli, [0x80]);
        var paddedNotLast = Compound(pli, pli);
        paddedNotLast[0] |= 0x20;
        foreach (var bad in new[] { tooLong, badVersion, trailing, paddedNotLast, [], new byte[3] })
        {
            Assert.False(RtcpCompoundReader.IsValid(bad));
        }
    }

    [Fact]
    public void Random_bytes_never_throw_or_mutate()
    {
        Gen.Byte.Array[0, 120].Sample(bytes =>
        {
            if (bytes.Length > 0) bytes[0] = (byte)(0x80 | (bytes[0] & 0x3F));
            if (bytes.Length > 1) bytes[1] = (byte)(200 + bytes[1] % 7);
            var before = (byte[])bytes.Clone();
            if (RtcpCompoundReader.IsValid(bytes))
            {
                var reader = new RtcpCompoundReader(bytes);
                var statuses = new TransportCcPacketStatus[70000];
                while (reader.TryReadNext(out _, out var packet))
                {
                    var nack = new NackEnumerator(packet);
                    while (nack.MoveNext()) { }
                    var fir = new FirEnumerator(packet);
                    while (fir.MoveNext()) { }
                    _ = SenderReport.TryParse(packet, out _);
                    _ = ReceiverReport.TryParse(packet, out _);
                    _ = Remb.TryParse(packet, out _);
                    _ = RtcpSourceItems.TryGetFirstCname(packet, out _, out _);
                    _ = TransportCcFeedback.TryParse(packet, statuses, out _, out _);
                }
            }
            Assert.Equal(before, bytes);
        }, iter: 5000);
    }

    [Fact]
    public void Transport_cc_feedback_round_trips_with_gaps_reordering_and_large_deltas()
    {
        Gen.Select(Gen.UShort, Gen.Int[1, 300], Gen.Int[0, 40_000]).Sample((start, count, maxGapUs) =>
        {
            var builder = new TransportCcFeedbackBuilder();
            var random = new Random(start ^ count);
            var arrivals = new Dictionary<ushort, long>();
            long time = 5_000_000 + random.Next(1_000_000);
            var order = Enumerable.Range(0, count).ToList();
            for (int i = 0; i + 1 < order.Count; i += 5) (order[i], order[i + 1]) = (order[i + 1], order[i]); // reorder
            foreach (int i in order)
            {
                if (random.Next(10) == 0 && i != 0) continue; // lost
                ushort seq = SequenceNumber.Add(start, i);
                time += random.Next(maxGapUs + 1) - (i % 7 == 0 ? 3000 : 0); // occasionally negative
                arrivals[seq] = time;
                builder.OnPacketReceived(seq, time);
            }
            var statuses = new TransportCcPacketStatus[TransportCcFeedbackBuilder.MaxPacketsPerFeedback];
            var reported = new Dictionary<ushort, TransportCcPacketStatus>();
            var buffer = new byte[2048];
            while (builder.TryWriteFeedback(buffer, 1, 2, out int length))
            {
                Assert.True(RtcpCompoundReader.IsValid(buffer.AsSpan(0, length)));
                Assert.True(TransportCcFeedback.TryParse(buffer.AsSpan(0, length), statuses, out int n, out _));
                for (int i = 0; i < n; i++) reported[statuses[i].SequenceNumber] = statuses[i];
            }
            foreach (var (seq, arrival) in arrivals)
            {
                if (SequenceIsBefore(seq, start)) continue;
                Assert.True(reported.TryGetValue(seq, out var status) && status.Received, $"seq {seq} reported received");
            }
            // Arrival differences survive to within the 250 µs resolution (no drift).
            var received = reported.Values.Where(s => s.Received).OrderBy(s => SequenceNumber.Distance(start, s.SequenceNumber)).ToList();
            for (int i = 1; i < received.Count; i++)
            {
                long expected = arrivals[received[i].SequenceNumber] - arrivals[received[0].SequenceNumber];
                long actual = received[i].ArrivalUs - received[0].ArrivalUs;
                Assert.InRange(actual - expected, -250, 250);
            }
        }, iter: 200);

        static bool SequenceIsBefore(ushort seq, ushort start) => SequenceNumber.Distance(start, seq) < 0;
    }

    [Fact]
    public void Writers_and_the_feedback_builder_allocate_nothing()
    {
        var builder = new TransportCcFeedbackBuilder();
        var buffer = new byte[2048];
        ushort[] lost = [1, 2, 5];
        void Round(int i)
        {
            for (int k = 0; k < 20; k++) builder.OnPacketReceived((ushort)(i * 20 + k), i * 50_000L + k * 1000);
            builder.TryWriteFeedback(buffer, 1, 2, out _);
            RtcpWriter.TryWritePli(buffer, 1, 2, out _);
            RtcpTestWriter.TryWriteNack(buffer, 1, 2, lost, out _);
        }
        for (int i = 0; i < 10; i++) Round(i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 10; i < 1000; i++) Round(i);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
