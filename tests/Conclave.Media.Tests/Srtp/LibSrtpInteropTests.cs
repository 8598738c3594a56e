using System.Security.Cryptography;
using Conclave.Media.Rtp;
using Conclave.Media.Srtp;

namespace Conclave.Media.Tests.Srtp;

/// <summary>
/// SRTP and SRTCP against an independent implementation, libsrtp 2.5 (AES_CM_128_HMAC_SHA1_80;
/// GCM is checked against RFC 7714's vectors and against Chromium end to end).
/// </summary>
public sealed class LibSrtpInteropTests : IDisposable
{
    private const int SlackBytes = 64; // room for libsrtp's tag and SRTCP index

    private readonly IntPtr _libsrtpIn;
    private readonly IntPtr _libsrtpOut;
    private readonly SrtpContext _ours;
    private readonly SrtpContext _oursIn;

    /// <summary>Both implementations keyed alike: ours and libsrtp's each protect for the other to unprotect.</summary>
    public LibSrtpInteropTests()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var salt = RandomNumberGenerator.GetBytes(14);
        byte[] keyAndSalt = [.. key, .. salt];
        _libsrtpIn = LibSrtp.CreateSession(keyAndSalt, outbound: false);
        _libsrtpOut = LibSrtp.CreateSession(keyAndSalt, outbound: true);
        _ours = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, key, salt);
        _oursIn = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, key, salt);
    }

    [Fact]
    public void Rtp_protected_by_either_side_is_unprotected_by_the_other_across_the_sequence_wrap()
    {
        // Sequence numbers across the 0xFFFF wrap: both sides must agree on the ROC.
        for (int i = 0; i < 40; i++)
        {
            ushort seq = SequenceNumber.Add(0xFFF0, i);
            var rtp = SrtpContextTests.Rtp(seq, payloadBytes: 200 + i, extension: i % 3 == 0);

            var protectedByUs = new byte[rtp.Length + SlackBytes];
            Assert.Equal(SrtpStatus.Ok, _ours.ProtectRtp(rtp, protectedByUs, out int length));
            Assert.Equal(0, LibSrtp.Unprotect(_libsrtpIn, protectedByUs, ref length));
            Assert.Equal(rtp, protectedByUs[..length]);

            var byLibsrtp = new byte[rtp.Length + SlackBytes];
            rtp.CopyTo(byLibsrtp, 0);
            int libLength = rtp.Length;
            Assert.Equal(0, LibSrtp.Protect(_libsrtpOut, byLibsrtp, ref libLength));
            var plain = new byte[libLength];
            Assert.Equal(SrtpStatus.Ok, _oursIn.UnprotectRtp(byLibsrtp.AsSpan(0, libLength), plain, out int written));
            Assert.Equal(rtp, plain[..written]);
        }
    }

    [Fact]
    public void Rtcp_protected_by_either_side_is_unprotected_by_the_other()
    {
        var rtcp = Convert.FromHexString("81c90007deadbeef0badcafe000000010000000200000003000000040000000500000006");
        for (int i = 0; i < 5; i++)
        {
            var protectedByUs = new byte[rtcp.Length + SlackBytes];
            Assert.Equal(SrtpStatus.Ok, _ours.ProtectRtcp(rtcp, protectedByUs, out int length));
            Assert.Equal(0, LibSrtp.UnprotectRtcp(_libsrtpIn, protectedByUs, ref length));
            Assert.Equal(rtcp, protectedByUs[..length]);

            var byLibsrtp = new byte[rtcp.Length + SlackBytes];
            rtcp.CopyTo(byLibsrtp, 0);
            int libLength = rtcp.Length;
            Assert.Equal(0, LibSrtp.ProtectRtcp(_libsrtpOut, byLibsrtp, ref libLength));
            var plain = new byte[libLength];
            Assert.Equal(SrtpStatus.Ok, _oursIn.UnprotectRtcp(byLibsrtp.AsSpan(0, libLength), plain, out int written));
            Assert.Equal(rtcp, plain[..written]);
        }
    }

    public void Dispose()
    {
        _ours.Dispose();
        _oursIn.Dispose();
        LibSrtp.Dealloc(_libsrtpIn);
        LibSrtp.Dealloc(_libsrtpOut);
    }
}
