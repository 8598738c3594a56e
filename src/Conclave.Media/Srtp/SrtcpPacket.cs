namespace Conclave.Media.Srtp;

/// <summary>The fixed parts of an SRTCP packet (RFC 3711 §3.4), the same for every profile.</summary>
internal static class SrtcpPacket
{
    /// <summary>The RTCP header and sender SSRC, which are never encrypted.</summary>
    public const int ClearHeaderLength = 8;

    /// <summary>The word holding the E flag and the 31-bit SRTCP index.</summary>
    public const int IndexLength = 4;

    public const uint EncryptedFlag = 0x80000000;

    public static bool IsEncrypted(uint flagAndIndex) => (flagAndIndex & EncryptedFlag) != 0;

    public static uint Index(uint flagAndIndex) => flagAndIndex & ~EncryptedFlag;
}
