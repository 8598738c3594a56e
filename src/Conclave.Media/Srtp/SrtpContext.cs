using System.Buffers.Binary;
using System.Security.Cryptography;
using Conclave.Media.Rtp;

namespace Conclave.Media.Srtp;

/// <summary>
/// One direction of a DTLS-SRTP association: protects (or unprotects) RTP and RTCP
/// for every SSRC sent that way. Per-SSRC state (ROC, replay window, SRTCP index)
/// changes only after a packet authenticates.
/// <para>
/// Destination may be exactly the source's memory (decrypt or encrypt in place) but
/// must not overlap it otherwise. Steady state allocates nothing.
/// </para>
/// NOTE: not thread-safe; the media loop owns it.
/// </summary>
public sealed class SrtpContext : IDisposable
{
    /// <summary>More SSRCs than a browser sends (audio, video, RTX, a few simulcast layers) many times over.</summary>
    public const int MaxStreams = 64;

    private const int RtcpHeaderLength = 8;
    private const int SrtcpIndexLength = 4;
    private const uint SrtcpEncryptedFlag = 0x80000000;
    private const int HmacSha1Length = 20;
    private const int MaxPacketBytes = 2048;

    private readonly SrtpProfile _profile;
    private readonly int _tagLength;
    private readonly SrtpSessionKeys _rtp;
    private readonly SrtpSessionKeys _rtcp;
    private readonly Dictionary<uint, RtpStreamState> _rtpStreams = new();
    private readonly Dictionary<uint, RtcpStreamState> _rtcpStreams = new();
    private readonly byte[] _counterBlocks = new byte[MaxPacketBytes + 16];
    private readonly byte[] _keystream = new byte[MaxPacketBytes + 16];

    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
        : this(profile,
            SrtpSessionKeys.Derive(profile, CheckLength(masterKey, SrtpProfiles.MasterKeyLength, "master key"), CheckLength(masterSalt, SrtpProfiles.MasterSaltLength(profile), "master salt"), rtcp: false),
            SrtpSessionKeys.Derive(profile, masterKey, masterSalt, rtcp: true))
    {
    }

    internal SrtpContext(SrtpProfile profile, SrtpSessionKeys rtp, SrtpSessionKeys rtcp)
    {
        if (!SrtpProfiles.IsSupported((ushort)profile)) throw new ArgumentOutOfRangeException(nameof(profile), profile, "unsupported SRTP profile");
        _profile = profile;
        _tagLength = SrtpProfiles.TagLength(profile);
        _rtp = rtp;
        _rtcp = rtcp;
    }

    public SrtpProfile Profile => _profile;

    // ---- RTP -----------------------------------------------------------------------

    public SrtpStatus ProtectRtp(ReadOnlySpan<byte> rtp, Span<byte> destination, out int written)
    {
        written = 0;
        if (!RtpHeader.TryGetLength(rtp, out int headerLength)) return SrtpStatus.Malformed;
        if (destination.Length < rtp.Length + _tagLength) return SrtpStatus.DestinationTooSmall;
        if (!IsInPlaceOrDisjoint(rtp, destination)) return SrtpStatus.Malformed;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(rtp[8..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(rtp[2..]);
        if (!_rtpStreams.TryGetValue(ssrc, out var stream))
        {
            if (_rtpStreams.Count >= MaxStreams) return SrtpStatus.TooManyStreams;
            stream = new RtpStreamState();
            _rtpStreams.Add(ssrc, stream);
        }
        long index = stream.EstimateIndex(sequence);
        if (index < 0) return SrtpStatus.TooOld;
        stream.Commit((ulong)index);
        written = SealRtp(rtp, destination, headerLength, ssrc, (uint)(index >> 16), sequence);
        return SrtpStatus.Ok;
    }

    public SrtpStatus UnprotectRtp(ReadOnlySpan<byte> srtp, Span<byte> destination, out int written)
    {
        written = 0;
        if (!RtpHeader.TryGetLength(srtp, out int headerLength) || srtp.Length - _tagLength < headerLength) return SrtpStatus.Malformed;
        int plainLength = srtp.Length - _tagLength;
        if (destination.Length < plainLength) return SrtpStatus.DestinationTooSmall;
        if (!IsInPlaceOrDisjoint(srtp, destination)) return SrtpStatus.Malformed;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(srtp[8..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(srtp[2..]);
        _rtpStreams.TryGetValue(ssrc, out var stream);
        long index = stream?.EstimateIndex(sequence) ?? sequence;
        if (index < 0) return SrtpStatus.TooOld;
        if (stream is not null)
        {
            var replay = stream.Window.Check((ulong)index);
            if (replay != SrtpStatus.Ok) return replay;
        }
        else if (_rtpStreams.Count >= MaxStreams)
        {
            return SrtpStatus.TooManyStreams;
        }
        if (!OpenRtp(srtp, destination, headerLength, ssrc, (uint)(index >> 16), sequence)) return SrtpStatus.AuthFailed;
        if (stream is null)
        {
            stream = new RtpStreamState();
            _rtpStreams.Add(ssrc, stream);
        }
        stream.Commit((ulong)index);
        written = plainLength;
        return SrtpStatus.Ok;
    }

    /// <summary>Encrypts and tags one RTP packet at a known rollover counter (RFC 3711 §3.3, RFC 7714 §8).</summary>
    internal int SealRtp(ReadOnlySpan<byte> rtp, Span<byte> destination, int headerLength, uint ssrc, uint rolloverCounter, ushort sequence)
    {
        int length = rtp.Length;
        rtp[..headerLength].CopyTo(destination);
        if (_rtp.Gcm is { } gcm)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtpGcmNonce(nonce, ssrc, rolloverCounter, sequence);
            gcm.Encrypt(nonce, rtp[headerLength..], destination[headerLength..length], destination.Slice(length, 16), destination[..headerLength]);
            return length + 16;
        }
        ApplyCounterMode(_rtp, rtp[headerLength..], destination[headerLength..length], ssrc, ((ulong)rolloverCounter << 16) | sequence);
        // RFC 3711 §4.2: the tag covers the packet and the ROC, which is not sent.
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, rolloverCounter);
        Authenticate(_rtp, destination[..length], roc, destination.Slice(length, _tagLength));
        return length + _tagLength;
    }

    private bool OpenRtp(ReadOnlySpan<byte> srtp, Span<byte> destination, int headerLength, uint ssrc, uint rolloverCounter, ushort sequence)
    {
        int length = srtp.Length - _tagLength;
        if (_rtp.Gcm is { } gcm)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtpGcmNonce(nonce, ssrc, rolloverCounter, sequence);
            try
            {
                gcm.Decrypt(nonce, srtp[headerLength..length], srtp.Slice(length, 16), destination[headerLength..length], srtp[..headerLength]);
            }
            catch (CryptographicException)
            {
                // AesGcm offers no non-throwing open; a forged packet costs an exception here.
                return false;
            }
            srtp[..headerLength].CopyTo(destination);
            return true;
        }
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, rolloverCounter);
        Span<byte> expected = stackalloc byte[HmacSha1Length];
        Authenticate(_rtp, srtp[..length], roc, expected[.._tagLength]);
        if (!CryptographicOperations.FixedTimeEquals(expected[.._tagLength], srtp.Slice(length, _tagLength))) return false;
        srtp[..headerLength].CopyTo(destination);
        ApplyCounterMode(_rtp, srtp[headerLength..length], destination[headerLength..length], ssrc, ((ulong)rolloverCounter << 16) | sequence);
        return true;
    }

    // ---- RTCP ----------------------------------------------------------------------

    /// <summary>
    /// Protects an RTCP compound packet (RFC 3711 §3.4); always encrypted (E = 1).
    /// Its SRTCP index counts per sender SSRC.
    /// </summary>
    public SrtpStatus ProtectRtcp(ReadOnlySpan<byte> rtcp, Span<byte> destination, out int written)
    {
        written = 0;
        if (rtcp.Length < RtcpHeaderLength || rtcp[0] >> 6 != 2) return SrtpStatus.Malformed;
        if (destination.Length < rtcp.Length + SrtcpIndexLength + _tagLength) return SrtpStatus.DestinationTooSmall;
        if (!IsInPlaceOrDisjoint(rtcp, destination)) return SrtpStatus.Malformed;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(rtcp[4..]);
        if (!_rtcpStreams.TryGetValue(ssrc, out var stream))
        {
            if (_rtcpStreams.Count >= MaxStreams) return SrtpStatus.TooManyStreams;
            stream = new RtcpStreamState();
            _rtcpStreams.Add(ssrc, stream);
        }
        uint index = stream.NextIndex;
        stream.NextIndex = index == RtcpStreamState.MaxIndex ? 0 : index + 1;
        written = SealRtcp(rtcp, destination, ssrc, index);
        return SrtpStatus.Ok;
    }

    internal int SealRtcp(ReadOnlySpan<byte> rtcp, Span<byte> destination, uint ssrc, uint index)
    {
        int length = rtcp.Length;
        uint flagAndIndex = SrtcpEncryptedFlag | index;
        rtcp[..RtcpHeaderLength].CopyTo(destination);
        if (_rtcp.Gcm is { } gcm)
        {
            // RFC 7714 §9: header ‖ ciphertext ‖ tag ‖ E‖index; AAD = header ‖ E‖index.
            Span<byte> nonce = stackalloc byte[12];
            RtcpGcmNonce(nonce, ssrc, index);
            Span<byte> aad = stackalloc byte[RtcpHeaderLength + SrtcpIndexLength];
            rtcp[..RtcpHeaderLength].CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], flagAndIndex);
            gcm.Encrypt(nonce, rtcp[RtcpHeaderLength..], destination[RtcpHeaderLength..length], destination.Slice(length, 16), aad);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(length + 16)..], flagAndIndex);
            return length + 16 + SrtcpIndexLength;
        }
        // RFC 3711 §3.4: header ‖ ciphertext ‖ E‖index ‖ tag; the tag covers E‖index.
        ApplyCounterMode(_rtcp, rtcp[RtcpHeaderLength..], destination[RtcpHeaderLength..length], ssrc, index);
        BinaryPrimitives.WriteUInt32BigEndian(destination[length..], flagAndIndex);
        Authenticate(_rtcp, destination[..(length + SrtcpIndexLength)], [], destination.Slice(length + SrtcpIndexLength, _tagLength));
        return length + SrtcpIndexLength + _tagLength;
    }

    public SrtpStatus UnprotectRtcp(ReadOnlySpan<byte> srtcp, Span<byte> destination, out int written)
    {
        written = 0;
        int plainLength = srtcp.Length - SrtcpIndexLength - _tagLength;
        if (plainLength < RtcpHeaderLength || srtcp[0] >> 6 != 2) return SrtpStatus.Malformed;
        if (destination.Length < plainLength) return SrtpStatus.DestinationTooSmall;
        if (!IsInPlaceOrDisjoint(srtcp, destination)) return SrtpStatus.Malformed;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(srtcp[4..]);
        int indexOffset = _rtcp.Gcm is null ? plainLength : plainLength + 16;
        uint flagAndIndex = BinaryPrimitives.ReadUInt32BigEndian(srtcp[indexOffset..]);
        uint index = flagAndIndex & RtcpStreamState.MaxIndex;
        bool encrypted = (flagAndIndex & SrtcpEncryptedFlag) != 0;
        _rtcpStreams.TryGetValue(ssrc, out var stream);
        if (stream is not null)
        {
            var replay = stream.Window.Check(index);
            if (replay != SrtpStatus.Ok) return replay;
        }
        else if (_rtcpStreams.Count >= MaxStreams)
        {
            return SrtpStatus.TooManyStreams;
        }
        if (!OpenRtcp(srtcp, destination, plainLength, ssrc, flagAndIndex, encrypted)) return SrtpStatus.AuthFailed;
        if (stream is null)
        {
            stream = new RtcpStreamState();
            _rtcpStreams.Add(ssrc, stream);
        }
        stream.Window.Accept(index);
        written = plainLength;
        return SrtpStatus.Ok;
    }

    private bool OpenRtcp(ReadOnlySpan<byte> srtcp, Span<byte> destination, int plainLength, uint ssrc, uint flagAndIndex, bool encrypted)
    {
        uint index = flagAndIndex & RtcpStreamState.MaxIndex;
        if (_rtcp.Gcm is { } gcm)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtcpGcmNonce(nonce, ssrc, index);
            var tag = srtcp.Slice(plainLength, 16);
            try
            {
                if (encrypted)
                {
                    Span<byte> aad = stackalloc byte[RtcpHeaderLength + SrtcpIndexLength];
                    srtcp[..RtcpHeaderLength].CopyTo(aad);
                    BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], flagAndIndex);
                    gcm.Decrypt(nonce, srtcp[RtcpHeaderLength..plainLength], tag, destination[RtcpHeaderLength..plainLength], aad);
                    srtcp[..RtcpHeaderLength].CopyTo(destination);
                    return true;
                }
                // RFC 7714 §9.2, E = 0: the whole packet and E‖index are associated data.
                Span<byte> aadAll = plainLength + SrtcpIndexLength <= 1024 ? stackalloc byte[plainLength + SrtcpIndexLength] : new byte[plainLength + SrtcpIndexLength];
                srtcp[..plainLength].CopyTo(aadAll);
                BinaryPrimitives.WriteUInt32BigEndian(aadAll[plainLength..], flagAndIndex);
                gcm.Decrypt(nonce, [], tag, [], aadAll);
                srtcp[..plainLength].CopyTo(destination);
                return true;
            }
            catch (CryptographicException)
            {
                return false;
            }
        }
        Span<byte> expected = stackalloc byte[HmacSha1Length];
        Authenticate(_rtcp, srtcp[..(plainLength + SrtcpIndexLength)], [], expected[.._tagLength]);
        if (!CryptographicOperations.FixedTimeEquals(expected[.._tagLength], srtcp.Slice(plainLength + SrtcpIndexLength, _tagLength))) return false;
        srtcp[..RtcpHeaderLength].CopyTo(destination);
        if (encrypted)
        {
            ApplyCounterMode(_rtcp, srtcp[RtcpHeaderLength..plainLength], destination[RtcpHeaderLength..plainLength], ssrc, index);
        }
        else
        {
            srtcp[RtcpHeaderLength..plainLength].CopyTo(destination[RtcpHeaderLength..]);
        }
        return true;
    }

    // ---- primitives ----------------------------------------------------------------

    /// <summary>RFC 7714 §8.1: IV = (00 00 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt.</summary>
    private void RtpGcmNonce(Span<byte> nonce, uint ssrc, uint rolloverCounter, ushort sequence)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[6..], rolloverCounter);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[10..], sequence);
        XorInto(nonce, _rtp.Salt);
    }

    /// <summary>RFC 7714 §9.1: IV = (00 00 ‖ SSRC ‖ 00 00 ‖ 0 ‖ index) XOR salt.</summary>
    private void RtcpGcmNonce(Span<byte> nonce, uint ssrc, uint index)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], index);
        XorInto(nonce, _rtcp.Salt);
    }

    /// <summary>
    /// AES-CM (RFC 3711 §4.1.1): IV = (salt · 2¹⁶) XOR (SSRC · 2⁶⁴) XOR (index · 2¹⁶);
    /// keystream blocks are AES(IV + j), made in one EncryptEcb call.
    /// </summary>
    private void ApplyCounterMode(SrtpSessionKeys keys, ReadOnlySpan<byte> input, Span<byte> output, uint ssrc, ulong index)
    {
        if (input.IsEmpty) return;
        int blocks = (input.Length + 15) / 16;
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        keys.Salt.CopyTo(iv);
        iv[4] ^= (byte)(ssrc >> 24);
        iv[5] ^= (byte)(ssrc >> 16);
        iv[6] ^= (byte)(ssrc >> 8);
        iv[7] ^= (byte)ssrc;
        for (int i = 0; i < 6; i++) iv[8 + i] ^= (byte)(index >> (40 - 8 * i));
        var counters = _counterBlocks.AsSpan(0, blocks * 16);
        // NOTE: the counter and keystream buffers are arrays because ICryptoTransform wants them.
        for (int block = 0; block < blocks; block++)
        {
            var counter = counters.Slice(block * 16, 16);
            iv.CopyTo(counter);
            // The block counter occupies the low 16 bits, which the IV leaves zero.
            counter[14] = (byte)(block >> 8);
            counter[15] = (byte)block;
        }
        keys.Ecb!.TransformBlock(_counterBlocks, 0, blocks * 16, _keystream, 0);
        var keystream = _keystream.AsSpan(0, blocks * 16);
        for (int i = 0; i < input.Length; i++) output[i] = (byte)(input[i] ^ keystream[i]);
    }

    private static void Authenticate(SrtpSessionKeys keys, ReadOnlySpan<byte> data, ReadOnlySpan<byte> trailer, Span<byte> tag)
    {
        var hmac = keys.Hmac!;
        hmac.AppendData(data);
        if (!trailer.IsEmpty) hmac.AppendData(trailer);
        Span<byte> full = stackalloc byte[HmacSha1Length];
        hmac.GetHashAndReset(full);
        full[..tag.Length].CopyTo(tag);
    }

    private static void XorInto(Span<byte> target, ReadOnlySpan<byte> mask)
    {
        for (int i = 0; i < target.Length; i++) target[i] ^= mask[i];
    }

    private static bool IsInPlaceOrDisjoint(ReadOnlySpan<byte> source, Span<byte> destination) =>
        !source.Overlaps(destination, out int offset) || offset == 0;

    private static ReadOnlySpan<byte> CheckLength(ReadOnlySpan<byte> value, int expected, string what) =>
        value.Length == expected ? value : throw new ArgumentException($"the SRTP {what} must be {expected} bytes, not {value.Length}");

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }
}
