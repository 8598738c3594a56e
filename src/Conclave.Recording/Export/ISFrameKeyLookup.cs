using Conclave.Crypto.SFrame;

namespace Conclave.Recording.Export;

/// <summary>
/// The SFrame keys the escrow yields: the key of <c>kid</c> in force at an arrival time, or null when
/// no escrowed epoch covers it. The lookup owns and disposes the keys it returns.
/// </summary>
public interface ISFrameKeyLookup
{
    SFrameKey? Find(ulong kid, ulong arrivalMicroseconds);
}
