using Conclave.Crypto.SFrame;

namespace Conclave.Recording.Export;

/// <summary>
/// The SFrame keys the escrow yields for one participant's media: the key of <c>kid</c> in force
/// at an arrival time, or null when no escrowed epoch covers it; and whether the KID's sender
/// index (RFC 9605 §5.2) is that participant's leaf. The lookup owns and disposes the keys it returns.
/// </summary>
public interface ISFrameKeyLookup
{
    SFrameKey? Find(ulong kid, ulong arrivalMicroseconds);

    /// <summary>
    /// Whether the frame's KID names the participant whose media this is as its sender. SFrame
    /// with MLS keys does not authenticate the sender among members (RFC 9605 §7.2), so this is
    /// what the KID says, asked only of a frame that authenticated under <see cref="Find"/>'s key.
    /// </summary>
    bool IsFromPublisher(ulong kid, ulong arrivalMicroseconds);
}
