using System.Collections.Concurrent;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;

namespace Conclave.Browser.Tests;

/// <summary>What the SFU forwarded in the rooms a test asked for: a copy of each packet.</summary>
internal sealed class ForwardRecorder : IForwardTap
{
    private const int MaxPacketsPerRoom = 50_000;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ForwardedPacket>> _rooms = new(StringComparer.Ordinal);

    public void Record(string roomId) => _rooms.TryAdd(roomId, new ConcurrentQueue<ForwardedPacket>());

    public IReadOnlyList<ForwardedPacket> Packets(string roomId) => _rooms.TryGetValue(roomId, out var queue) ? queue.ToArray() : [];

    public void OnForward(string roomId, string publisherPeerId, MediaKind kind, ReadOnlySpan<byte> rtpPacket)
    {
        if (_rooms.TryGetValue(roomId, out var queue) && queue.Count < MaxPacketsPerRoom)
        {
            queue.Enqueue(new ForwardedPacket(publisherPeerId, kind, rtpPacket.ToArray()));
        }
    }

    public void OnSenderReport(string roomId, string publisherPeerId, uint ssrc, ulong ntpTimestamp, uint rtpTimestamp)
    {
    }
}

internal sealed record ForwardedPacket(string PublisherPeerId, MediaKind Kind, byte[] RtpPacket);
