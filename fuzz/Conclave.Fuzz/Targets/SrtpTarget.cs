using Conclave.Media.Srtp;

namespace Conclave.Fuzz.Targets;

/// <summary>
/// Datagrams on the media port after DTLS, under either profile with fixed keys. As a
/// stranger's bytes they are unprotected as RTP and RTCP, as the SFU does (in place); an
/// authentic packet is refused the second time (RFC 3711 §3.3.2). As a sender's plain
/// packets they are protected and then unprotected by a receiver with the same keys,
/// which gets them back unless it has seen their index before.
/// </summary>
public static class SrtpTarget
{
    public static ReadOnlySpan<byte> MasterKey => [0xE1, 0xF9, 0x7A, 0x0D, 0x3E, 0x01, 0x8B, 0xE0, 0xD6, 0x4F, 0xA3, 0x2C, 0x06, 0xDE, 0x41, 0x39];

    /// <summary>14 bytes for AES-CM (RFC 3711 §8.2); GCM takes the first 12 (RFC 7714 §12).</summary>
    public static ReadOnlySpan<byte> MasterSalt(SrtpProfile profile) =>
        new byte[] { 0x0E, 0xC6, 0x75, 0xAD, 0x49, 0x8A, 0xFE, 0xEB, 0xB6, 0x96, 0x0B, 0x3A, 0xAB, 0xE6 }.AsSpan(0, SrtpProfiles.MasterSaltLength(profile));

    public static readonly SrtpProfile[] Profiles = [SrtpProfile.AeadAes128Gcm, SrtpProfile.AesCm128HmacSha1_80];

    /// <summary>
    /// The first byte's low bit picks the profile (each input pays for deriving keys, so one
    /// profile per input doubles the executions); the rest is a <see cref="DatagramSequence"/>.
    /// </summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return;
        var profile = Profiles[input[0] & 1];
        using var inbound = NewContext(profile);
        using var sender = NewContext(profile);
        using var receiver = NewContext(profile);
        foreach (var datagram in new DatagramSequence(input[1..]))
        {
            var buffer = new byte[datagram.Length + 64];
            UnprotectStranger(inbound, datagram, buffer, rtcp: false);
            UnprotectStranger(inbound, datagram, buffer, rtcp: true);
            RoundTrip(sender, receiver, datagram, buffer, rtcp: false);
            RoundTrip(sender, receiver, datagram, buffer, rtcp: true);
        }
    }

    /// <summary>The input <see cref="Run"/> reads as <paramref name="datagrams"/> under <paramref name="profile"/>.</summary>
    public static byte[] Input(SrtpProfile profile, params IEnumerable<byte[]> datagrams) =>
        [(byte)Array.IndexOf(Profiles, profile), .. DatagramSequence.Join(datagrams)];

    public static SrtpContext NewContext(SrtpProfile profile) => new(profile, MasterKey, MasterSalt(profile));

    private static void UnprotectStranger(SrtpContext inbound, ReadOnlySpan<byte> datagram, byte[] buffer, bool rtcp)
    {
        var packet = buffer.AsSpan(0, datagram.Length);
        datagram.CopyTo(packet);
        var status = Unprotect(inbound, rtcp, packet, packet, out int written);
        int overhead = SrtpProfiles.TagLength(inbound.Profile) + (rtcp ? 4 : 0);
        Invariant.Holds(status == SrtpStatus.Ok ? written == datagram.Length - overhead : written == 0, "written is not the plain length, or not 0 on a refusal");
        if (status != SrtpStatus.Ok) return;
        datagram.CopyTo(packet);
        Invariant.Holds(Unprotect(inbound, rtcp, packet, packet, out _) == SrtpStatus.Replayed, "an authentic packet was accepted twice");
    }

    private static void RoundTrip(SrtpContext sender, SrtpContext receiver, ReadOnlySpan<byte> plain, byte[] buffer, bool rtcp)
    {
        var status = rtcp ? sender.ProtectRtcp(plain, buffer, out int length) : sender.ProtectRtp(plain, buffer, out length);
        if (status != SrtpStatus.Ok) return;
        var unprotected = new byte[length];
        status = Unprotect(receiver, rtcp, buffer.AsSpan(0, length), unprotected, out int written);
        Invariant.Holds(status is SrtpStatus.Ok or SrtpStatus.Replayed or SrtpStatus.TooOld, "a receiver with the sender's keys refused what it protected");
        Invariant.Holds(status != SrtpStatus.Ok || unprotected.AsSpan(0, written).SequenceEqual(plain), "a packet changed between protect and unprotect");
    }

    private static SrtpStatus Unprotect(SrtpContext context, bool rtcp, ReadOnlySpan<byte> packet, Span<byte> destination, out int written) =>
        rtcp ? context.UnprotectRtcp(packet, destination, out written) : context.UnprotectRtp(packet, destination, out written);
}
