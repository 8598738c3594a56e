using System.Buffers.Binary;
using System.Text;

namespace Conclave.Daemon.Tests;

/// <summary>A ConclaveCredential as a member reads it (docs/signalling.md, "Credential"), written apart from the appliance's encoder.</summary>
internal sealed record ReadCredential(byte Version, string MeetingId, string ParticipantId, string AttendeeKey, string DisplayName, byte Kind,
    ulong NotAfterUnixSeconds, byte[] SignatureKeySha256, byte[] Body, byte[] CaSignature)
{
    public static ReadCredential Parse(byte[] bytes)
    {
        int at = 0;
        byte version = bytes[at++];
        string meetingId = Text(bytes, ref at), participantId = Text(bytes, ref at), attendeeKey = Text(bytes, ref at), displayName = Text(bytes, ref at);
        byte kind = bytes[at++];
        ulong notAfter = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(at, 8));
        at += 8;
        byte[] digest = bytes[at..(at + 32)];
        at += 32;
        byte[] body = bytes[..at];
        byte[] signature = Vector(bytes, ref at);
        if (at != bytes.Length) throw new FormatException("bytes after the CA signature");
        return new ReadCredential(version, meetingId, participantId, attendeeKey, displayName, kind, notAfter, digest, body, signature);
    }

    private static string Text(byte[] bytes, ref int at) => Encoding.UTF8.GetString(Vector(bytes, ref at));

    /// <summary>RFC 9420 §2.1.2: the top two bits of the first byte give the length's size (1, 2 or 4 bytes).</summary>
    private static byte[] Vector(byte[] bytes, ref int at)
    {
        int prefix = bytes[at] >> 6;
        int length = prefix switch
        {
            0 => bytes[at] & 0x3F,
            1 => BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at)) & 0x3FFF,
            2 => (int)(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at)) & 0x3FFF_FFFF),
            _ => throw new FormatException("MLS has no 8-byte vector lengths"),
        };
        at += 1 << prefix;
        byte[] value = bytes[at..(at + length)];
        at += length;
        return value;
    }
}
