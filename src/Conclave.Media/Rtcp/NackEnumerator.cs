using System.Buffers.Binary;
using Conclave.Media.Rtp;

namespace Conclave.Media.Rtcp;

/// <summary>
/// The lost sequence numbers of a generic NACK (RFC 4585 §6.2.1), without allocating.
/// Each FCI entry is a packet ID and a bitmask of the 16 that follow it:
/// <code>
/// |            PID                |             BLP               |
/// </code>
/// </summary>
public ref struct NackEnumerator
{
    private const int FirstFciOffset = 12;

    private readonly ReadOnlySpan<byte> _packet;
    private int _offset;
    private int _bit; // -1: the PID itself; 0..15: bits of BLP

    public NackEnumerator(ReadOnlySpan<byte> nackPacket)
    {
        _packet = nackPacket;
        _offset = FirstFciOffset;
        _bit = -2;
        Current = 0;
    }

    public ushort Current { get; private set; }

    public bool MoveNext()
    {
        while (_offset + 4 <= _packet.Length)
        {
            ushort pid = BinaryPrimitives.ReadUInt16BigEndian(_packet[_offset..]);
            ushort blp = BinaryPrimitives.ReadUInt16BigEndian(_packet[(_offset + 2)..]);
            if (_bit == -2)
            {
                _bit = -1;
                Current = pid;
                return true;
            }
            for (_bit++; _bit < 16; _bit++)
            {
                if ((blp & (1 << _bit)) != 0)
                {
                    Current = SequenceNumber.Add(pid, _bit + 1);
                    return true;
                }
            }
            _offset += 4;
            _bit = -2;
        }
        return false;
    }
}
