namespace Conclave.Crypto.SFrame;

public enum SFrameMediaKind
{
    /// <summary>Opus: the whole frame is encrypted.</summary>
    Audio,

    /// <summary>VP8: a clear prefix stays readable for the receiving depacketizer.</summary>
    Video,
}

/// <summary>
/// A protected media frame as the browser's media worker writes it: <c>prefix ‖ SFrame</c>, where the
/// SFrame ciphertext covers the rest of the frame and authenticates the prefix as its metadata
/// (RFC 9605 §4.4.3). Audio has no prefix. Chromium's receiving VP8 depacketizer reads the first
/// bytes before the transform runs, so they stay clear: 10 for a key frame (the frame tag's
/// inverse key-frame bit, bit 0 of byte 0, is 0: RFC 6386 §9.1), else 3, never more than the
/// frame. The receiver applies the same rule to the byte 0 it receives; a frame shorter than its
/// prefix (no VP8 encoder writes one: every frame has the 3-byte tag, a key frame 7 bytes more)
/// is sealed whole as the prefix, but the receiver's rule then reads past it and refuses it.
/// </summary>
public static class SFrameMediaFrame
{
    public const int Vp8KeyFrameClearBytes = 10;
    public const int Vp8DeltaFrameClearBytes = 3;

    /// <summary>How many leading bytes of <paramref name="frame"/> stay clear.</summary>
    public static int ClearPrefixLength(SFrameMediaKind kind, ReadOnlySpan<byte> frame)
    {
        if (kind == SFrameMediaKind.Audio || frame.IsEmpty) return 0;
        int rule = (frame[0] & 1) == 0 ? Vp8KeyFrameClearBytes : Vp8DeltaFrameClearBytes;
        return Math.Min(rule, frame.Length);
    }

    /// <summary>The length <see cref="Seal"/> writes: the prefix moves out of the plaintext, so it is the SFrame length of the whole frame.</summary>
    public static int SealedLength(SFrameKey key, ulong ctr, int frameLength) => key.SealedLength(ctr, frameLength);

    /// <summary>Writes <c>prefix ‖ SFrame</c> into <paramref name="destination"/>; returns the length written.</summary>
    public static int Seal(SFrameKey key, ulong ctr, SFrameMediaKind kind, ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        int prefixLength = ClearPrefixLength(kind, frame);
        var prefix = frame[..prefixLength];
        int length = prefixLength + key.Seal(ctr, prefix, frame[prefixLength..], destination[prefixLength..]);
        prefix.CopyTo(destination);
        return length;
    }

    /// <summary>The SFrame header of a protected frame, to pick its key.</summary>
    public static bool TryReadHeader(SFrameMediaKind kind, ReadOnlySpan<byte> data, out SFrameHeader header) =>
        SFrameHeader.TryRead(data[ClearPrefixLength(kind, data)..], out header);

    /// <summary>
    /// Writes the original frame (prefix ‖ plaintext) into <paramref name="frame"/> (the input's
    /// length always suffices); false when the frame does not open with <paramref name="key"/>,
    /// and then the frame is dropped, never decoded.
    /// </summary>
    public static bool TryOpen(SFrameKey key, SFrameMediaKind kind, ReadOnlySpan<byte> data, Span<byte> frame, out int frameLength)
    {
        frameLength = 0;
        int prefixLength = ClearPrefixLength(kind, data);
        var prefix = data[..prefixLength];
        if (!key.TryOpen(data[prefixLength..], prefix, frame[prefixLength..], out int plaintextLength)) return false;
        prefix.CopyTo(frame);
        frameLength = prefixLength + plaintextLength;
        return true;
    }

    /// <summary>The original frame, or null when <see cref="TryOpen"/> would refuse it.</summary>
    public static byte[]? Open(SFrameKey key, SFrameMediaKind kind, ReadOnlySpan<byte> data)
    {
        var frame = new byte[data.Length];
        return TryOpen(key, kind, data, frame, out int length) ? frame[..length] : null;
    }
}
