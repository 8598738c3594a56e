using System.Buffers.Binary;
using Conclave.Media.Rtp;

namespace Conclave.Media.Srtp;

/// <summary>
/// One direction of a DTLS-SRTP association: protects (or unprotects) RTP and RTCP
/// for every SSRC sent that way. Per-SSRC state (ROC, replay window, SRTCP index)
/// changes only after a packet authenticates; the profile's <see cref="ISrtpCipher"/>
/// seals and opens.
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

    private readonly ISrtpCipher _cipher;
    private readonly int _tagLength;
    private readonly Dictionary<uint, RtpStreamState> _rtpStreams = new();
    private readonly Dictionary<uint, RtcpStreamState> _rtcpStreams = new();

    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
        : this(ISrtpCipher.Create(profile, CheckLength(masterKey, SrtpProfiles.MasterKeyLength, "master key"), CheckLength(masterSalt, SrtpProfiles.MasterSaltLength(profile), "master salt")))
    {
    }

    internal SrtpContext(ISrtpCipher cipher)
    {
        _cipher = cipher;
        _tagLength = cipher.TagLength;
    }

    public SrtpProfile Profile => _cipher.Profile;

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
        // The send side keeps a replay window too: an index sealed twice under one key
        // would reuse the AES-GCM nonce (RFC 7714 §8.1) or the AES-CM keystream (RFC 3711 §9.1).
        var reuse = stream.Window.Check((ulong)index);
        if (reuse != SrtpStatus.Ok) return reuse;
        stream.Commit((ulong)index);
        written = _cipher.SealRtp(rtp, destination, headerLength, ssrc, (ulong)index);
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
        if (!_cipher.OpenRtp(srtp, destination, headerLength, ssrc, (ulong)index)) return SrtpStatus.AuthFailed;
        if (stream is null)
        {
            stream = new RtpStreamState();
            _rtpStreams.Add(ssrc, stream);
        }
        stream.Commit((ulong)index);
        written = plainLength;
        return SrtpStatus.Ok;
    }

    // ---- RTCP ----------------------------------------------------------------------

    /// <summary>
    /// Protects an RTCP compound packet (RFC 3711 §3.4); always encrypted (E = 1).
    /// Its SRTCP index counts per sender SSRC.
    /// </summary>
    public SrtpStatus ProtectRtcp(ReadOnlySpan<byte> rtcp, Span<byte> destination, out int written)
    {
        written = 0;
        if (rtcp.Length < SrtcpPacket.ClearHeaderLength || rtcp[0] >> 6 != 2) return SrtpStatus.Malformed;
        if (destination.Length < rtcp.Length + SrtcpPacket.IndexLength + _tagLength) return SrtpStatus.DestinationTooSmall;
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
        written = _cipher.SealRtcp(rtcp, destination, ssrc, index);
        return SrtpStatus.Ok;
    }

    public SrtpStatus UnprotectRtcp(ReadOnlySpan<byte> srtcp, Span<byte> destination, out int written)
    {
        written = 0;
        int plainLength = srtcp.Length - SrtcpPacket.IndexLength - _tagLength;
        if (plainLength < SrtcpPacket.ClearHeaderLength || srtcp[0] >> 6 != 2) return SrtpStatus.Malformed;
        if (destination.Length < plainLength) return SrtpStatus.DestinationTooSmall;
        if (!IsInPlaceOrDisjoint(srtcp, destination)) return SrtpStatus.Malformed;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(srtcp[4..]);
        uint flagAndIndex = _cipher.ReadRtcpFlagAndIndex(srtcp);
        uint index = SrtcpPacket.Index(flagAndIndex);
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
        if (!_cipher.OpenRtcp(srtcp, destination, ssrc, flagAndIndex)) return SrtpStatus.AuthFailed;
        if (stream is null)
        {
            stream = new RtcpStreamState();
            _rtcpStreams.Add(ssrc, stream);
        }
        stream.Window.Accept(index);
        written = plainLength;
        return SrtpStatus.Ok;
    }

    private static bool IsInPlaceOrDisjoint(ReadOnlySpan<byte> source, Span<byte> destination) =>
        !source.Overlaps(destination, out int offset) || offset == 0;

    private static ReadOnlySpan<byte> CheckLength(ReadOnlySpan<byte> value, int expected, string what) =>
        value.Length == expected ? value : throw new ArgumentException($"the SRTP {what} must be {expected} bytes, not {value.Length}");

    public void Dispose() => _cipher.Dispose();
}
