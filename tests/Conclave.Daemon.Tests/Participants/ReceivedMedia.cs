using System.Buffers.Binary;
using Conclave.Media.Rtcp;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Srtp;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>One authenticated RTP packet as it reached the participant.</summary>
/// <param name="Bytes">The SRTP datagram's size on the wire.</param>
/// <param name="OriginTag">Who made the payload (<see cref="SyntheticPayload"/>); 0 when it carries none.</param>
internal readonly record struct RtpArrival(ushort SequenceNumber, long ArrivalMs, int Bytes, byte PayloadType, ulong OriginTag);

/// <summary>
/// Everything the appliance sent one participant, recorded by its receive loop: each
/// authenticated RTP packet per SSRC, RTX (RFC 4588) as counts only, refusals by SRTP
/// status, the key frame requests addressed to it, and every SRTP packet index seen twice
/// with different ciphertext — the same (SSRC, ROC, SEQ) sealed twice under one key is
/// keystream reuse (RFC 3711 §9.1; for GCM also a forgery key, RFC 7714 §14.1).
/// </summary>
internal sealed class ReceivedMedia
{
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, List<RtpArrival>> _arrivals = new();
    private readonly Dictionary<uint, PacketIndexEstimate> _indexes = new();
    private readonly Dictionary<(uint Ssrc, long Index), int> _ciphertextHashes = new();
    private readonly Dictionary<SrtpStatus, long> _refusals = new();

    public long RtxPackets { get; private set; }

    /// <summary>RTX datagrams' bytes on the wire (SRTP tag included).</summary>
    public long RtxBytes { get; private set; }

    public long SrtpIndexReuses { get; private set; }

    /// <summary>PLIs (RFC 4585 §6.3.1) the appliance relayed: a publisher answers with a key frame.</summary>
    public long PictureLossIndications { get; private set; }

    /// <summary>Called with each SRTP datagram before it is unprotected: tracks its packet index.</summary>
    public void OnSrtp(ReadOnlySpan<byte> srtp)
    {
        if (srtp.Length < RtpPacket.FixedHeaderLength) return;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(srtp[8..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(srtp[2..]);
        var hash = new HashCode();
        hash.AddBytes(srtp);
        int ciphertext = hash.ToHashCode();
        lock (_lock)
        {
            if (!_indexes.TryGetValue(ssrc, out var estimate)) _indexes.Add(ssrc, estimate = new PacketIndexEstimate());
            long index = estimate.Observe(sequence);
            if (_ciphertextHashes.TryGetValue((ssrc, index), out int earlier))
            {
                if (earlier != ciphertext) SrtpIndexReuses++;
            }
            else
            {
                _ciphertextHashes.Add((ssrc, index), ciphertext);
            }
        }
    }

    public void OnRtp(ReadOnlySpan<byte> rtp, int wireBytes, long nowMs)
    {
        if (!RtpPacket.TryParse(rtp, out var packet)) return;
        lock (_lock)
        {
            if (packet.PayloadType == SdpCodecs.RtxPayloadType)
            {
                RtxPackets++;
                RtxBytes += wireBytes;
                return;
            }
            if (!_arrivals.TryGetValue(packet.Ssrc, out var list)) _arrivals.Add(packet.Ssrc, list = new List<RtpArrival>(1024));
            list.Add(new RtpArrival(packet.SequenceNumber, nowMs, wireBytes, packet.PayloadType, SyntheticPayload.OriginOf(packet.Payload)));
        }
    }

    public void OnRtcp(ReadOnlySpan<byte> compound)
    {
        var reader = new RtcpCompoundReader(compound);
        lock (_lock)
        {
            while (reader.TryReadNext(out var header, out _))
            {
                if (header.PacketType == RtcpPacketType.PayloadFeedback && header.Fmt == RtcpFeedbackFormat.Pli) PictureLossIndications++;
            }
        }
    }

    public void OnRefused(SrtpStatus status)
    {
        lock (_lock) _refusals[status] = _refusals.GetValueOrDefault(status) + 1;
    }

    /// <summary>SRTP/SRTCP packets refused with <paramref name="status"/> (replayed, too old, failed authentication…).</summary>
    public long Refused(SrtpStatus status)
    {
        lock (_lock) return _refusals.GetValueOrDefault(status);
    }

    /// <summary>A copy of what arrived on <paramref name="ssrc"/> so far, in arrival order.</summary>
    public IReadOnlyList<RtpArrival> Arrivals(uint ssrc)
    {
        lock (_lock) return _arrivals.TryGetValue(ssrc, out var list) ? list.ToArray() : [];
    }

    public int Count(uint ssrc)
    {
        lock (_lock) return _arrivals.TryGetValue(ssrc, out var list) ? list.Count : 0;
    }

    /// <summary>The receiver's guess of a sender's packet index (RFC 3711 §3.3.1, Appendix A).</summary>
    private sealed class PacketIndexEstimate
    {
        private long _rolloverCounter;
        private ushort _highest;
        private bool _started;

        public long Observe(ushort sequence)
        {
            if (!_started)
            {
                _started = true;
                _highest = sequence;
                return sequence;
            }
            long roc = _rolloverCounter;
            if (_highest < 32768 && sequence - _highest > 32768) roc--;
            else if (_highest >= 32768 && _highest - 32768 > sequence) roc++;
            long index = (roc << 16) | sequence;
            if (index > ((_rolloverCounter << 16) | _highest))
            {
                _rolloverCounter = roc;
                _highest = sequence;
            }
            return index;
        }
    }
}
