using System.Buffers.Binary;

namespace Conclave.Fuzz;

/// <summary>
/// One fuzz input read as several datagrams, for targets that keep state across them:
/// each datagram is a 16-bit big-endian length and that many bytes (fewer when the
/// input ends first).
/// </summary>
public ref struct DatagramSequence(ReadOnlySpan<byte> input)
{
    private ReadOnlySpan<byte> _rest = input;

    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly DatagramSequence GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_rest.Length < 2) return false;
        int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(_rest), _rest.Length - 2);
        Current = _rest.Slice(2, length);
        _rest = _rest[(2 + length)..];
        return true;
    }

    /// <summary>The input that <see cref="DatagramSequence"/> reads back as <paramref name="datagrams"/>.</summary>
    public static byte[] Join(params IEnumerable<byte[]> datagrams)
    {
        var input = new List<byte>();
        foreach (var datagram in datagrams)
        {
            input.Add((byte)(datagram.Length >> 8));
            input.Add((byte)datagram.Length);
            input.AddRange(datagram);
        }
        return [.. input];
    }
}
