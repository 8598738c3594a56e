namespace Conclave.Media.Rtcp;

/// <summary>
/// Walks the packets of a compound RTCP datagram (RFC 3550 §6.1). Reduced-size RTCP
/// (RFC 5506) is accepted: a datagram may hold a single feedback packet.
/// </summary>
public ref struct RtcpCompoundReader
{
    private readonly ReadOnlySpan<byte> _compound;
    private int _offset;

    public RtcpCompoundReader(ReadOnlySpan<byte> compound)
    {
        _compound = compound;
        _offset = 0;
    }

    /// <summary>
    /// Every header has V=2 and the lengths add up exactly to the datagram; only the
    /// last packet may be padded (RFC 3550 §6.4.1). Never throws.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> compound)
    {
        if (compound.Length < RtcpHeader.Length) return false;
        int offset = 0;
        while (offset < compound.Length)
        {
            if (!RtcpHeader.TryRead(compound[offset..], out var header)) return false;
            offset += header.LengthInBytes;
            if (header.Padding && offset != compound.Length) return false;
        }
        return offset == compound.Length;
    }

    /// <summary>The next packet (header and all its bytes); false at the end or on a bad header.</summary>
    public bool TryReadNext(out RtcpHeader header, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        if (_offset >= _compound.Length || !RtcpHeader.TryRead(_compound[_offset..], out header))
        {
            header = default;
            return false;
        }
        packet = _compound.Slice(_offset, header.LengthInBytes);
        _offset += header.LengthInBytes;
        return true;
    }
}
