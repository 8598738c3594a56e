using System.Buffers.Binary;

namespace Conclave.Media.Rtcp;

/// <summary>One FCI entry of a FIR: the stream asked for a key frame and the command's sequence number.</summary>
public readonly record struct FirEntry(uint Ssrc, byte CommandSequence);

/// <summary>
/// The entries of a Full Intra Request (RFC 5104 §4.3.1.1):
/// <code>
/// |                              SSRC                             |
/// | Seq nr.       |    Reserved                                   |
/// </code>
/// </summary>
public ref struct FirEnumerator
{
    private const int FirstFciOffset = 12;
    private const int EntryLength = 8;

    private readonly ReadOnlySpan<byte> _packet;
    private int _offset;

    public FirEnumerator(ReadOnlySpan<byte> firPacket)
    {
        _packet = firPacket;
        _offset = FirstFciOffset - EntryLength;
        Current = default;
    }

    public FirEntry Current { get; private set; }

    public bool MoveNext()
    {
        _offset += EntryLength;
        if (_offset + EntryLength > _packet.Length) return false;
        Current = new FirEntry(BinaryPrimitives.ReadUInt32BigEndian(_packet[_offset..]), _packet[_offset + 4]);
        return true;
    }
}
