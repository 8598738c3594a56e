using System.Buffers.Binary;
using System.Net;

namespace Conclave.Media.Tests.Stun;

/// <summary>An independent decoder of XOR-MAPPED-ADDRESS (RFC 5389 §15.2), written from the RFC text for tests.</summary>
internal static class StunTestPeer
{
    public static IPEndPoint DecodeXorMappedAddress(ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId)
    {
        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ 0x2112;
        var cookieAndId = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(cookieAndId, 0x2112A442);
        transactionId.CopyTo(cookieAndId.AsSpan(4));
        var address = value[4..].ToArray();
        for (int i = 0; i < address.Length; i++) address[i] ^= cookieAndId[i];
        return new IPEndPoint(new IPAddress(address), port);
    }
}
