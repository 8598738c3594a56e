using System.Security.Cryptography;

namespace Conclave.Testing;

/// <summary>
/// <c>join</c> as the browser sends it (docs/signalling.md): with the MLS signature key it made
/// for this meeting, a fresh P-256 key pair whose public half goes as an uncompressed point.
/// </summary>
public static class JoinMessages
{
    /// <param name="name">A display name the browser claims: the appliance ignores it (the cookie names the person).</param>
    public static object For(string room, string? name = null) => name is null
        ? new { type = "join", room, e2ee = new { signatureKey = Convert.ToBase64String(NewSignatureKey()) } }
        : new { type = "join", room, name, e2ee = new { signatureKey = Convert.ToBase64String(NewSignatureKey()) } };

    public static byte[] NewSignatureKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }
}
