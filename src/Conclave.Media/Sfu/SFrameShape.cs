using Conclave.Media.Rtp;
using Conclave.Media.Sdp;

namespace Conclave.Media.Sfu;

/// <summary>
/// Whether a published RTP payload has the shape of an end-to-end encrypted frame: the
/// appliance holds no key, so it cannot authenticate SFrame (RFC 9605), but it can refuse
/// to relay what plainly is not SFrame under the room's current MLS epoch.
/// <list type="bullet">
/// <item>Opus: the payload is the whole frame, <c>header ‖ ciphertext ‖ tag</c>.</item>
/// <item>VP8, the packet that starts a frame: after the payload descriptor (RFC 7741 §4.2),
/// a clear prefix Chromium's depacketizer reads before the receiver's transform runs — the
/// 10-byte key-frame header, or the 3-byte frame tag of other frames (RFC 6386 §9.1) —
/// then the SFrame header. The tag ends the frame, so in this first packet there must be
/// at least room for it. Other packets of the frame carry ciphertext only.</item>
/// </list>
/// The header's KID carries the MLS epoch's low 8 bits (RFC 9605 §5.2): the current epoch
/// or one of the two before it, since senders move to a new epoch only once they have
/// processed its commit.
/// </summary>
internal static class SFrameShape
{
    private const int KeyFramePrefixLength = 10, OtherFramePrefixLength = 3;
    private const int EpochBits = 8;
    private const ulong EpochMask = (1UL << EpochBits) - 1;
    private const int EpochsBehindAccepted = 2;

    /// <summary>RFC 6386 §9.1: bit 0 of the frame tag is the inverse key-frame flag.</summary>
    private const byte InverseKeyFrameBit = 0x01;

    /// <param name="frameAtRoomEpoch">
    /// For a packet that starts a video frame sealed under the room's current epoch itself (not
    /// one before), whether that frame is a key frame; <see cref="FrameAtRoomEpoch.None"/> otherwise.
    /// </param>
    public static bool Holds(MediaKind kind, ReadOnlySpan<byte> payload, ulong roomEpoch, out FrameAtRoomEpoch frameAtRoomEpoch)
    {
        frameAtRoomEpoch = FrameAtRoomEpoch.None;
        bool keyFrame = false;
        if (kind == MediaKind.Video)
        {
            if (!Vp8PayloadDescriptor.TryParse(payload, out var descriptor)) return false;
            if (!descriptor.StartsFrame) return true;
            var frame = payload[descriptor.Length..];
            if (frame.IsEmpty) return false;
            keyFrame = (frame[0] & InverseKeyFrameBit) == 0;
            int prefixLength = keyFrame ? KeyFramePrefixLength : OtherFramePrefixLength;
            if (frame.Length < prefixLength) return false;
            payload = frame[prefixLength..];
        }
        if (!SFrameHeaderView.TryParse(payload, out var header)
            || payload.Length - header.Length < SFrameHeaderView.TagLength
            || !IsRecentEpoch(header.KeyId, roomEpoch))
        {
            return false;
        }
        if (kind == MediaKind.Video && ((roomEpoch - header.KeyId) & EpochMask) == 0)
        {
            frameAtRoomEpoch = keyFrame ? FrameAtRoomEpoch.KeyFrame : FrameAtRoomEpoch.DeltaFrame;
        }
        return true;
    }

    /// <summary>KID mod 2^E is (epoch − k) mod 2^E for k = 0, 1, 2.</summary>
    private static bool IsRecentEpoch(ulong keyId, ulong roomEpoch) => ((roomEpoch - keyId) & EpochMask) <= EpochsBehindAccepted;
}

/// <summary>What a video packet that starts a frame under the room's current epoch says of it.</summary>
internal enum FrameAtRoomEpoch
{
    None,
    KeyFrame,
    DeltaFrame,
}
