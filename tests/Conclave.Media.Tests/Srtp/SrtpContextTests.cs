using System.Buffers.Binary;
using System.Security.Cryptography;
using Conclave.Media.Rtp;
using Conclave.Media.Srtp;
using CsCheck;

namespace Conclave.Media.Tests.Srtp;

/// <summary>Round trips, replay, forgery and rollover, for both profiles.</summary>
public sealed class SrtpContextTests
{
    public static TheoryData<SrtpProfile> Profiles => new() { SrtpProfile.AeadAes128Gcm, SrtpProfile.AesCm128HmacSha1_80 };

    private static (SrtpContext Sender, SrtpContext Receiver) Pair(SrtpProfile profile)
    {
        var key = RandomNumberGenerator.GetBytes(SrtpProfiles.MasterKeyLength);
        var salt = RandomNumberGenerator.GetBytes(SrtpProfiles.MasterSaltLength(profile));
        return (new SrtpContext(profile, key, salt), new SrtpContext(profile, key, salt));
    }

    internal static byte[] Rtp(ushort sequence, uint ssrc = 0x12345678, int payloadBytes = 160, int csrcs = 0, bool extension = false, int padding = 0)
    {
        int extensionBytes = extension ? 8 : 0;
        var packet = new byte[12 + 4 * csrcs + extensionBytes + payloadBytes + padding];
        packet[0] = (byte)(0x80 | (padding > 0 ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcs);
        packet[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 90u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        int offset = 12 + 4 * csrcs;
        if (extension)
        {
            packet[offset] = 0xBE; packet[offset + 1] = 0xDE; packet[offset + 3] = 1;
            packet[offset + 4] = 0x31; packet[offset + 5] = 0xAB; packet[offset + 6] = 0xCD;
        }
        for (int i = offset + extensionBytes; i < packet.Length; i++) packet[i] = (byte)(i * 31);
        if (padding > 0) packet[^1] = (byte)padding;
        return packet;
    }

    private static byte[] Protect(SrtpContext context, byte[] rtp)
    {
        var output = new byte[rtp.Length + 16];
        Assert.Equal(SrtpStatus.Ok, context.ProtectRtp(rtp, output, out int written));
        return output[..written];
    }

    [Fact]
    public void An_unsupported_profile_or_a_master_key_of_the_wrong_length_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SrtpContext((SrtpProfile)0x0002, new byte[16], new byte[14]));
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProfile.AeadAes128Gcm, new byte[16], new byte[14]));
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, new byte[32], new byte[14]));
        using var context = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, new byte[16], new byte[14]);
        Assert.Equal(SrtpProfile.AesCm128HmacSha1_80, context.Profile);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtp_round_trips_with_csrcs_extensions_and_padding(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender) using (receiver)
        {
            ushort seq = 1;
            foreach (var rtp in new[] { Rtp(seq++), Rtp(seq++, csrcs: 3), Rtp(seq++, extension: true), Rtp(seq++, padding: 4, payloadBytes: 0), Rtp(seq++, payloadBytes: 1100) })
            {
                var srtp = Protect(sender, rtp);
                Assert.Equal(rtp.Length + SrtpProfiles.TagLength(profile), srtp.Length);
                Assert.NotEqual(rtp[^5..], srtp[(rtp.Length - 5)..rtp.Length]); // payload is encrypted
                var plain = new byte[srtp.Length];
                Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(srtp, plain, out int written));
                Assert.Equal(rtp, plain[..written]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtcp_round_trips(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender) using (receiver)
        {
            var rtcp = Convert.FromHexString("81c90007deadbeef0badcafe00000001000000020000000300000004000000050000");
            rtcp = rtcp[..32];
            var srtcp = new byte[64];
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(rtcp, srtcp, out int length));
                var plain = new byte[64];
                Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(srtcp.AsSpan(0, length), plain, out int written));
                Assert.Equal(rtcp, plain[..written]);
                Assert.Equal(SrtpStatus.Replayed, receiver.UnprotectRtcp(srtcp.AsSpan(0, length), plain, out _));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void In_place_works_and_a_separate_destination_leaves_the_input_untouched(SrtpProfile profile)
    {
        var key = RandomNumberGenerator.GetBytes(SrtpProfiles.MasterKeyLength);
        var salt = RandomNumberGenerator.GetBytes(SrtpProfiles.MasterSaltLength(profile));
        using var sender = new SrtpContext(profile, key, salt);
        using var separateReceiver = new SrtpContext(profile, key, salt);
        using var inPlaceReceiver = new SrtpContext(profile, key, salt);
        var rtp = Rtp(7, payloadBytes: 500);
        var buffer = new byte[rtp.Length + 16];
        rtp.CopyTo(buffer, 0);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer.AsSpan(0, rtp.Length), buffer, out int length));
        var srtp = buffer[..length];

        var before = (byte[])srtp.Clone();
        var separate = new byte[length];
        Assert.Equal(SrtpStatus.Ok, separateReceiver.UnprotectRtp(srtp, separate, out int written));
        Assert.Equal(before, srtp);
        Assert.Equal(rtp, separate[..written]);

        Assert.Equal(SrtpStatus.Ok, inPlaceReceiver.UnprotectRtp(srtp, srtp, out written));
        Assert.Equal(rtp, srtp[..written]);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void A_replayed_packet_is_refused_and_changes_nothing(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender) using (receiver)
        {
            var first = Protect(sender, Rtp(100));
            var second = Protect(sender, Rtp(101));
            var plain = new byte[2048];
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(first, plain, out _));
            Assert.Equal(SrtpStatus.Replayed, receiver.UnprotectRtp(first, plain, out _));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(second, plain, out _));
            Assert.Equal(SrtpStatus.Replayed, receiver.UnprotectRtp(second, plain, out _));
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void A_packet_older_than_the_window_is_refused_but_a_late_one_inside_it_is_accepted(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender) using (receiver)
        {
            var packets = new byte[100][];
            for (ushort i = 0; i < 100; i++) packets[i] = Protect(sender, Rtp((ushort)(1000 + i)));
            var plain = new byte[2048];
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[0], plain, out _));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[99], plain, out _));
            Assert.Equal(SrtpStatus.TooOld, receiver.UnprotectRtp(packets[1], plain, out _));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[50], plain, out _)); // late, within 64
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_flipped_bit_is_refused_and_the_next_genuine_packet_still_decrypts(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender) using (receiver)
        {
            var genuine = Protect(sender, Rtp(5000, payloadBytes: 40));
            var next = Protect(sender, Rtp(5001, payloadBytes: 40));
            var plain = new byte[2048];
            for (int bit = 0; bit < genuine.Length * 8; bit++)
            {
                var forged = (byte[])genuine.Clone();
                forged[bit / 8] ^= (byte)(1 << (bit % 8));
                var status = receiver.UnprotectRtp(forged, plain, out _);
                Assert.True(status != SrtpStatus.Ok, $"bit {bit} flipped was accepted");
            }
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(genuine, plain, out _));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(next, plain, out _));
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void The_sender_never_seals_one_index_twice_RFC_7714_section_8_1(SrtpProfile profile)
    {
        var (sender, _) = Pair(profile);
        var buffer = new byte[512];
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(Rtp(500), buffer, out _));

        var again = sender.ProtectRtp(Rtp(500, payloadBytes: 40), buffer, out int written);

        Assert.Equal(SrtpStatus.Replayed, again);
        Assert.Equal(0, written);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void The_sender_seals_a_reordered_packet_it_has_not_sealed_yet_but_not_one_older_than_the_window(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var buffer = new byte[512];
        var plain = new byte[512];
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(Rtp(600), buffer, out _));

        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(Rtp(598), buffer, out int written));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(buffer.AsSpan(0, written), plain, out _));
        Assert.Equal(SrtpStatus.TooOld, sender.ProtectRtp(Rtp(600 - ReplayWindow.WindowPackets), buffer, out _));
    }

    [Fact]
    public void Sequence_wrap_advances_the_rollover_counter_on_both_sides()
    {
        Gen.Select(Gen.UShort, Gen.Int[1, 2000], Gen.Int[1, 300]).Sample((start, count, step) =>
        {
            var (sender, receiver) = Pair(SrtpProfile.AeadAes128Gcm);
            using (sender) using (receiver)
            {
                var plain = new byte[2048];
                ushort seq = start;
                for (int i = 0; i < count; i++)
                {
                    var rtp = Rtp(seq, payloadBytes: 8);
                    var srtp = Protect(sender, rtp);
                    Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(srtp, plain, out int written));
                    Assert.Equal(rtp, plain[..written]);
                    seq = SequenceNumber.Add(seq, step);
                }
            }
        }, iter: 40, threads: 1);
    }

    [Fact]
    public void A_wrap_from_0xFFFF_to_0_uses_the_next_rollover_counter_in_the_iv()
    {
        var (sender, receiver) = Pair(SrtpProfile.AeadAes128Gcm);
        using (sender) using (receiver)
        {
            var last = Protect(sender, Rtp(0xFFFF));
            var first = Protect(sender, Rtp(0x0000));
            // Same SSRC and sequence 0 under ROC 0 would give a different ciphertext.
            var (fresh, _) = Pair(SrtpProfile.AeadAes128Gcm);
            var plain = new byte[2048];
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(last, plain, out _));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(first, plain, out int written));
            Assert.Equal(Rtp(0), plain[..written]);
            fresh.Dispose();
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var (sender, receiver) = Pair(SrtpProfile.AeadAes128Gcm);
        var (cmSender, cmReceiver) = Pair(SrtpProfile.AesCm128HmacSha1_80);
        var plain = new byte[4096];
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var before = (byte[])bytes.Clone();
            _ = receiver.UnprotectRtp(bytes, plain, out _);
            _ = receiver.UnprotectRtcp(bytes, plain, out _);
            _ = cmReceiver.UnprotectRtp(bytes, plain, out _);
            _ = cmReceiver.UnprotectRtcp(bytes, plain, out _);
            _ = sender.ProtectRtp(bytes, plain, out _);
            _ = cmSender.ProtectRtcp(bytes, plain, out _);
            Assert.Equal(before, bytes);
        }, iter: 3000, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Protect_and_unprotect_allocate_nothing_in_steady_state(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender) using (receiver)
        {
            var rtp = Rtp(0, payloadBytes: 1100);
            var srtp = new byte[1300];
            var plain = new byte[1300];
            void One(ushort seq)
            {
                BinaryPrimitives.WriteUInt16BigEndian(rtp.AsSpan(2), seq);
                sender.ProtectRtp(rtp, srtp, out int length);
                receiver.UnprotectRtp(srtp.AsSpan(0, length), plain, out _);
            }
            for (ushort seq = 0; seq < 100; seq++) One(seq);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (ushort seq = 100; seq < 10_100; seq++) One(seq);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
