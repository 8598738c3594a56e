using Conclave.Media.Srtp;

namespace Conclave.Media.Dtls;

/// <summary>
/// The SRTP master keys a DTLS handshake exported (RFC 5764 §4.2): from
/// "EXTRACTOR-dtls_srtp", client key ‖ server key ‖ client salt ‖ server salt.
/// </summary>
public sealed record DtlsSrtpKeys(ushort ProtectionProfile, byte[] ClientMasterKey, byte[] ClientMasterSalt, byte[] ServerMasterKey, byte[] ServerMasterSalt)
{
    public static DtlsSrtpKeys FromKeyingMaterial(SrtpProfile profile, ReadOnlySpan<byte> material)
    {
        int key = SrtpProfiles.MasterKeyLength;
        int salt = SrtpProfiles.MasterSaltLength(profile);
        if (material.Length != 2 * (key + salt)) throw new ArgumentException($"{material.Length} bytes of keying material; {2 * (key + salt)} expected");
        return new DtlsSrtpKeys((ushort)profile,
            material[..key].ToArray(),
            material.Slice(2 * key, salt).ToArray(),
            material.Slice(key, key).ToArray(),
            material.Slice(2 * key + salt, salt).ToArray());
    }

    /// <summary>Keys are secrets: keep them out of logs and exception messages.</summary>
    public override string ToString() => $"DtlsSrtpKeys {{ ProtectionProfile = 0x{ProtectionProfile:X4} }}";
}
