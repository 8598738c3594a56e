using System.Buffers.Binary;
using System.Net;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Srtp;
using Conclave.Media.Tests.Sfu;
using Conclave.Media.Transport;

namespace Conclave.Media.Load;

/// <summary>
/// One publisher's camera as the generator sends it: 1,100-byte RTP packets of SFrame-sealed
/// VP8 (each starting a frame, so the SFU reads every one's SFrame header, RFC 9605 §4.3),
/// sealed by the publisher's SRTP context and sent from its socket to <see cref="Destination"/>.
/// The payload is written once: the SFU reads nothing past the SFrame header, so only the
/// sequence number and timestamp change per packet, and sealing is the per-packet cost.
/// NOTE: one thread at a time (the generator's).
/// </summary>
internal sealed class VideoStream(uint ssrc, SrtpContext srtp, UdpDatagramSocket socket, SocketAddress destination)
{
    public const int RtpBytes = 1100;

    /// <summary>RFC 7714 §4.2: AEAD_AES_128_GCM adds a 16-byte tag.</summary>
    public const int SrtpBytes = RtpBytes + 16;

    /// <summary>A 30 fps frame's RTP timestamp step at VP8's 90 kHz clock (RFC 7741 §4.1).</summary>
    private const uint TimestampStep = 3000;

    private readonly byte[] _rtp = CreateTemplate(ssrc);

    public UdpDatagramSocket Socket { get; } = socket;
    public SocketAddress Destination { get; } = destination;

    /// <summary>
    /// The extended sequence number (RFC 3550 §A.1) of the next packet: an SRTP index is never
    /// sealed twice (RFC 3711 §3.3.2), so every packet is new. Starts at 1.
    /// </summary>
    public long NextIndex { get; private set; } = 1;

    /// <summary>Seals the next packet into <paramref name="destination"/> (<see cref="SrtpBytes"/> long); returns its index.</summary>
    public long SealNext(Span<byte> destination)
    {
        long index = NextIndex++;
        BinaryPrimitives.WriteUInt16BigEndian(_rtp.AsSpan(2), (ushort)index);
        BinaryPrimitives.WriteUInt32BigEndian(_rtp.AsSpan(4), (uint)(index / 8) * TimestampStep);
        var status = srtp.ProtectRtp(_rtp, destination, out int written);
        if (status != SrtpStatus.Ok || written != SrtpBytes) throw new InvalidOperationException($"sealing packet {index} failed: {status}");
        return index;
    }

    private static byte[] CreateTemplate(uint ssrc)
    {
        var rtp = new byte[RtpBytes];
        rtp[0] = 0x80;
        rtp[1] = SdpCodecs.Vp8PayloadType;
        BinaryPrimitives.WriteUInt32BigEndian(rtp.AsSpan(8), ssrc);
        SFramePayload.WriteVideo(rtp.AsSpan(RtpHeader.FixedLength), SFramePayload.KeyId(SFramePayload.Epoch), counter: 1);
        return rtp;
    }
}
