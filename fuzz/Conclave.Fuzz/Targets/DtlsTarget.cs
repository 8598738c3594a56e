using System.Buffers.Binary;
using Conclave.Media.Dtls;

namespace Conclave.Fuzz.Targets;

/// <summary>
/// Datagrams that look like DTLS before a handshake (RFC 7983): anyone can send them,
/// and <see cref="ClientHelloAssembler"/> holds fragments across datagrams. Whatever it
/// assembles is one unfragmented ClientHello record (RFC 6347 §4.1, §4.2.2), which an
/// assembler passes through unchanged.
/// </summary>
public static class DtlsTarget
{
    private const int RecordHeaderLength = 13, HandshakeHeaderLength = 12, MaxClientHelloBytes = 16 * 1024;

    /// <summary><paramref name="input"/> as a <see cref="DatagramSequence"/>.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        var assembler = new ClientHelloAssembler();
        foreach (var datagram in new DatagramSequence(input))
        {
            bool assembled = assembler.TryAdd(datagram, out var record);
            Invariant.Holds(assembled == record is not null, "TryAdd's result and its record disagree");
            if (assembled) CheckRecord(record!);
        }
    }

    private static void CheckRecord(byte[] record)
    {
        Invariant.Holds(record.Length >= RecordHeaderLength + HandshakeHeaderLength, "an assembled record is shorter than its headers");
        Invariant.Holds(record[0] == 22 && BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(3)) == 0, "an assembled record is not a handshake in epoch 0");
        Invariant.Holds(BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(11)) == record.Length - RecordHeaderLength, "an assembled record's length is not its size");
        var handshake = record.AsSpan(RecordHeaderLength);
        int messageLength = ReadUInt24(handshake[1..]);
        Invariant.Holds(handshake[0] == 1 && messageLength <= MaxClientHelloBytes, "an assembled record is not a ClientHello within the bound");
        Invariant.Holds(ReadUInt24(handshake[6..]) == 0 && ReadUInt24(handshake[9..]) == messageLength, "an assembled ClientHello is still a fragment");
        Invariant.Holds(handshake.Length == HandshakeHeaderLength + messageLength, "an assembled ClientHello's length is not its size");
        Invariant.Holds(new ClientHelloAssembler().TryAdd(record, out var again) && again.AsSpan().SequenceEqual(record), "a whole ClientHello does not pass through unchanged");
    }

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
}
