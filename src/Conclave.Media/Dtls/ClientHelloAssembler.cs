using System.Buffers.Binary;

namespace Conclave.Media.Dtls;

/// <summary>
/// Reassembles a ClientHello sent in fragments (Chromium 156's is 1,413 bytes in two
/// datagrams) into one unfragmented record, because the stateless cookie check
/// (BouncyCastle's DtlsVerifier, RFC 6347 §4.2.1) reads a ClientHello from one record.
/// <code>
/// record (RFC 6347 §4.1):    type(1) version(2) epoch(2) sequence_number(6) length(2)
/// handshake (RFC 6347 §4.2.2): msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3)
/// </code>
/// </summary>
internal sealed class ClientHelloAssembler
{
    private const int RecordHeaderLength = 13;
    private const int HandshakeHeaderLength = 12;
    private const byte HandshakeContentType = 22;
    private const byte ClientHelloType = 1;

    /// <summary>A ClientHello with post-quantum key shares is under 2 KiB; 16 KiB bounds what a stranger can make us hold.</summary>
    private const int MaxClientHelloBytes = 16 * 1024;

    private byte[]? _body;
    private bool[]? _covered;
    private int _coveredBytes;
    private int _messageSequence = -1;

    /// <summary>Feeds one datagram; returns a whole ClientHello record once every fragment arrived.</summary>
    public bool TryAdd(ReadOnlySpan<byte> datagram, out byte[]? record)
    {
        record = null;
        int offset = 0;
        while (offset + RecordHeaderLength <= datagram.Length)
        {
            var header = datagram[offset..];
            int length = BinaryPrimitives.ReadUInt16BigEndian(header[11..]);
            if (offset + RecordHeaderLength + length > datagram.Length) return false;
            var fragment = datagram.Slice(offset + RecordHeaderLength, length);
            if (header[0] == HandshakeContentType && BinaryPrimitives.ReadUInt16BigEndian(header[3..]) == 0 &&
                TryAddFragment(header[..RecordHeaderLength], fragment, out record))
            {
                return true;
            }
            offset += RecordHeaderLength + length;
        }
        return false;
    }

    private bool TryAddFragment(ReadOnlySpan<byte> recordHeader, ReadOnlySpan<byte> handshake, out byte[]? record)
    {
        record = null;
        if (handshake.Length < HandshakeHeaderLength || handshake[0] != ClientHelloType) return false;
        int messageLength = ReadUInt24(handshake[1..]);
        int messageSequence = BinaryPrimitives.ReadUInt16BigEndian(handshake[4..]);
        int fragmentOffset = ReadUInt24(handshake[6..]);
        int fragmentLength = ReadUInt24(handshake[9..]);
        if (messageLength > MaxClientHelloBytes || fragmentOffset + fragmentLength > messageLength ||
            HandshakeHeaderLength + fragmentLength > handshake.Length)
        {
            return false;
        }
        if (messageSequence != _messageSequence || _body is null || _body.Length != messageLength)
        {
            // A new ClientHello (the one after HelloVerifyRequest has message_seq 1) starts over.
            _messageSequence = messageSequence;
            _body = new byte[messageLength];
            _covered = new bool[messageLength];
            _coveredBytes = 0;
        }
        handshake.Slice(HandshakeHeaderLength, fragmentLength).CopyTo(_body.AsSpan(fragmentOffset));
        for (int i = fragmentOffset; i < fragmentOffset + fragmentLength; i++)
        {
            if (_covered![i]) continue;
            _covered[i] = true;
            _coveredBytes++;
        }
        if (_coveredBytes < messageLength) return false;

        record = new byte[RecordHeaderLength + HandshakeHeaderLength + messageLength];
        recordHeader.CopyTo(record);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(11), (ushort)(HandshakeHeaderLength + messageLength));
        var message = record.AsSpan(RecordHeaderLength);
        message[0] = ClientHelloType;
        WriteUInt24(message[1..], messageLength);
        BinaryPrimitives.WriteUInt16BigEndian(message[4..], (ushort)messageSequence);
        WriteUInt24(message[6..], 0);
        WriteUInt24(message[9..], messageLength);
        _body.CopyTo(message[HandshakeHeaderLength..]);
        _body = null;
        _covered = null;
        _messageSequence = -1;
        return true;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];

    private static void WriteUInt24(Span<byte> bytes, int value)
    {
        bytes[0] = (byte)(value >> 16);
        bytes[1] = (byte)(value >> 8);
        bytes[2] = (byte)value;
    }
}
