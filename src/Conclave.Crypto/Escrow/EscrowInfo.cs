using System.Buffers.Binary;

namespace Conclave.Crypto.Escrow;

/// <summary>
/// The HPKE info of an escrowed epoch: ASCII "Conclave escrow v1" ‖ recording_id ‖ uint64 epoch
/// (docs/recording.md), so a blob opens only as the recording and epoch it was sealed for; aad is empty.
/// </summary>
internal static class EscrowInfo
{
    private static ReadOnlySpan<byte> Label => "Conclave escrow v1"u8;

    public static byte[] For(ReadOnlySpan<byte> recordingId, ulong epoch)
    {
        var info = new byte[Label.Length + recordingId.Length + 8];
        Label.CopyTo(info);
        recordingId.CopyTo(info.AsSpan(Label.Length));
        BinaryPrimitives.WriteUInt64BigEndian(info.AsSpan(Label.Length + recordingId.Length), epoch);
        return info;
    }
}
