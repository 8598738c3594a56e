namespace Conclave.Media.Sfu;

/// <summary>
/// The last <see cref="Capacity"/> packets of one video stream, kept to answer NACKs
/// with RTX (RFC 4588). Slots are allocated once; storing copies into a slot, so the
/// packet path allocates nothing.
/// </summary>
internal sealed class PacketCache
{
    /// <summary>
    /// 512 packets hold about 1.5 s of 2 Mbit/s video at 1,100-byte packets, longer
    /// than any NACK that could still help a 100 ms jitter buffer.
    /// </summary>
    public const int Capacity = 512;

    private const int SlotBytes = Transport.MediaEventLoop.MaxDatagramBytes;

    private readonly byte[] _slots = new byte[Capacity * SlotBytes];
    private readonly int[] _lengths = new int[Capacity];
    private readonly ushort[] _sequenceNumbers = new ushort[Capacity];

    public void Store(ushort sequenceNumber, ReadOnlySpan<byte> rtpPacket)
    {
        if (rtpPacket.Length > SlotBytes) return;
        int slot = sequenceNumber % Capacity;
        rtpPacket.CopyTo(_slots.AsSpan(slot * SlotBytes, SlotBytes));
        _lengths[slot] = rtpPacket.Length;
        _sequenceNumbers[slot] = sequenceNumber;
    }

    public bool TryGet(ushort sequenceNumber, out ReadOnlySpan<byte> rtpPacket)
    {
        int slot = sequenceNumber % Capacity;
        if (_lengths[slot] == 0 || _sequenceNumbers[slot] != sequenceNumber)
        {
            rtpPacket = default;
            return false;
        }
        rtpPacket = _slots.AsSpan(slot * SlotBytes, _lengths[slot]);
        return true;
    }
}
