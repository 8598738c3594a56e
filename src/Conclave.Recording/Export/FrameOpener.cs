using Conclave.Crypto.SFrame;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

internal enum FrameOpenStatus
{
    Opened,

    /// <summary>The frame does not start (after a VP8 clear prefix) with an SFrame header.</summary>
    NotSFrame,

    /// <summary>No escrowed key for the frame's KID.</summary>
    NoKey,

    /// <summary>The key is there but the frame does not authenticate (RFC 9605 §4.4.4).</summary>
    NotAuthentic,

    /// <summary>The frame authenticated, but its KID names another leaf than the participant's as its sender.</summary>
    OtherSender,
}

/// <summary>
/// Joins a frame's fragments and opens it as the receiving worker does (docs/e2ee.md): the VP8
/// clear prefix authenticated as metadata, the rest SFrame ciphertext. Holds the two buffers
/// every frame of an export goes through, grown to the largest frame seen.
/// </summary>
internal sealed class FrameOpener(ISFrameKeyLookup keys)
{
    private byte[] _protected = new byte[64 * 1024];
    private byte[] _plain = new byte[64 * 1024];

    /// <summary>The KID of the last frame tried, when it had an SFrame header.</summary>
    public ulong LastKid { get; private set; }

    /// <summary>Opens <paramref name="frame"/>; on success <paramref name="plaintext"/> is valid until the next call.</summary>
    public FrameOpenStatus Open(IReadOnlyList<RecordedRtp> packets, AssembledStream stream, in AssembledFrame frame, SFrameMediaKind kind, out ReadOnlySpan<byte> plaintext)
    {
        plaintext = default;
        int length = stream.FrameLength(frame);
        if (_protected.Length < length)
        {
            _protected = new byte[Math.Max(length, 2 * _protected.Length)];
            _plain = new byte[_protected.Length];
        }
        var data = _protected.AsSpan(0, length);
        stream.CopyFrame(packets, frame, data);
        if (!SFrameMediaFrame.TryReadHeader(kind, data, out var header)) return FrameOpenStatus.NotSFrame;
        LastKid = header.Kid;
        var key = keys.Find(header.Kid, frame.ArrivalMicroseconds);
        if (key is null) return FrameOpenStatus.NoKey;
        if (!SFrameMediaFrame.TryOpen(key, kind, data, _plain, out int plainLength)) return FrameOpenStatus.NotAuthentic;
        if (!keys.IsFromPublisher(header.Kid, frame.ArrivalMicroseconds)) return FrameOpenStatus.OtherSender;
        plaintext = _plain.AsSpan(0, plainLength);
        return FrameOpenStatus.Opened;
    }
}
