using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Conclave.Media.Srtp;

/// <summary>
/// AEAD_AES_128_GCM (RFC 7714): one pass encrypts the payload and authenticates it
/// with the header as associated data, under a 12-byte IV built from the SSRC and index.
/// One <see cref="OpenSslAesGcm"/> per session key, keyed once and reused for every packet.
/// </summary>
internal sealed class AeadAesGcmCipher : ISrtpCipher
{
    private const int AuthenticationTagLength = 16;
    private const int IvLength = 12;

    /// <summary>Past this, the E = 0 associated data goes to the heap; RTCP is rarely so long.</summary>
    private const int MaxStackAssociatedData = 1024;

    private readonly OpenSslAesGcm _rtp;
    private readonly OpenSslAesGcm _rtcp;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;

    public AeadAesGcmCipher(SrtpSessionKeys rtp, SrtpSessionKeys rtcp)
    {
        _rtp = new OpenSslAesGcm(rtp.EncryptionKey);
        _rtcp = new OpenSslAesGcm(rtcp.EncryptionKey);
        _rtpSalt = rtp.Salt.ToArray();
        _rtcpSalt = rtcp.Salt.ToArray();
    }

    public SrtpProfile Profile => SrtpProfile.AeadAes128Gcm;
    public int TagLength => AuthenticationTagLength;

    /// <summary>RFC 7714 §8: header ‖ ciphertext ‖ tag; the header is the associated data.</summary>
    public int SealRtp(ReadOnlySpan<byte> rtp, Span<byte> destination, int headerLength, uint ssrc, ulong index)
    {
        int length = rtp.Length;
        rtp[..headerLength].CopyTo(destination);
        Span<byte> iv = stackalloc byte[IvLength];
        RtpIv(iv, ssrc, index);
        _rtp.Encrypt(iv, rtp[headerLength..], destination[headerLength..length], destination.Slice(length, AuthenticationTagLength), destination[..headerLength]);
        return length + AuthenticationTagLength;
    }

    public bool OpenRtp(ReadOnlySpan<byte> srtp, Span<byte> destination, int headerLength, uint ssrc, ulong index)
    {
        int length = srtp.Length - AuthenticationTagLength;
        Span<byte> iv = stackalloc byte[IvLength];
        RtpIv(iv, ssrc, index);
        if (!_rtp.TryDecrypt(iv, srtp[headerLength..length], srtp.Slice(length, AuthenticationTagLength), destination[headerLength..length], srtp[..headerLength]))
        {
            return false;
        }
        srtp[..headerLength].CopyTo(destination);
        return true;
    }

    /// <summary>RFC 7714 §9: header ‖ ciphertext ‖ tag ‖ E‖index; the associated data is header ‖ E‖index.</summary>
    public int SealRtcp(ReadOnlySpan<byte> rtcp, Span<byte> destination, uint ssrc, uint index)
    {
        const int clear = SrtcpPacket.ClearHeaderLength;
        int length = rtcp.Length;
        uint flagAndIndex = SrtcpPacket.EncryptedFlag | index;
        rtcp[..clear].CopyTo(destination);
        Span<byte> iv = stackalloc byte[IvLength];
        RtcpIv(iv, ssrc, index);
        Span<byte> associatedData = stackalloc byte[clear + SrtcpPacket.IndexLength];
        rtcp[..clear].CopyTo(associatedData);
        BinaryPrimitives.WriteUInt32BigEndian(associatedData[clear..], flagAndIndex);
        _rtcp.Encrypt(iv, rtcp[clear..], destination[clear..length], destination.Slice(length, AuthenticationTagLength), associatedData);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(length + AuthenticationTagLength)..], flagAndIndex);
        return length + AuthenticationTagLength + SrtcpPacket.IndexLength;
    }

    public uint ReadRtcpFlagAndIndex(ReadOnlySpan<byte> srtcp) =>
        BinaryPrimitives.ReadUInt32BigEndian(srtcp[^SrtcpPacket.IndexLength..]);

    public bool OpenRtcp(ReadOnlySpan<byte> srtcp, Span<byte> destination, uint ssrc, uint flagAndIndex)
    {
        const int clear = SrtcpPacket.ClearHeaderLength;
        int plainLength = srtcp.Length - SrtcpPacket.IndexLength - AuthenticationTagLength;
        Span<byte> iv = stackalloc byte[IvLength];
        RtcpIv(iv, ssrc, SrtcpPacket.Index(flagAndIndex));
        var tag = srtcp.Slice(plainLength, AuthenticationTagLength);
        if (SrtcpPacket.IsEncrypted(flagAndIndex))
        {
            Span<byte> associatedData = stackalloc byte[clear + SrtcpPacket.IndexLength];
            srtcp[..clear].CopyTo(associatedData);
            BinaryPrimitives.WriteUInt32BigEndian(associatedData[clear..], flagAndIndex);
            if (!_rtcp.TryDecrypt(iv, srtcp[clear..plainLength], tag, destination[clear..plainLength], associatedData)) return false;
            srtcp[..clear].CopyTo(destination);
            return true;
        }
        // RFC 7714 §9.2, E = 0: the whole packet and E‖index are associated data.
        int associatedLength = plainLength + SrtcpPacket.IndexLength;
        Span<byte> all = associatedLength <= MaxStackAssociatedData ? stackalloc byte[associatedLength] : new byte[associatedLength];
        srtcp[..plainLength].CopyTo(all);
        BinaryPrimitives.WriteUInt32BigEndian(all[plainLength..], flagAndIndex);
        if (!_rtcp.TryDecrypt(iv, [], tag, [], all)) return false;
        srtcp[..plainLength].CopyTo(destination);
        return true;
    }

    /// <summary>RFC 7714 §8.1: IV = (00 00 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt, where ROC ‖ SEQ is the 48-bit index.</summary>
    private void RtpIv(Span<byte> iv, uint ssrc, ulong index)
    {
        iv[0] = 0;
        iv[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(iv[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(iv[6..], (uint)(index >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(iv[10..], (ushort)index);
        XorInto(iv, _rtpSalt);
    }

    /// <summary>RFC 7714 §9.1: IV = (00 00 ‖ SSRC ‖ 00 00 ‖ 0 ‖ SRTCP index) XOR salt.</summary>
    private void RtcpIv(Span<byte> iv, uint ssrc, uint index)
    {
        iv.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(iv[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(iv[8..], index);
        XorInto(iv, _rtcpSalt);
    }

    private static void XorInto(Span<byte> target, ReadOnlySpan<byte> mask)
    {
        for (int i = 0; i < target.Length; i++) target[i] ^= mask[i];
    }

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
        CryptographicOperations.ZeroMemory(_rtpSalt);
        CryptographicOperations.ZeroMemory(_rtcpSalt);
    }
}
