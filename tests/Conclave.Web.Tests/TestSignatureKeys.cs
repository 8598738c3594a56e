using System.Security.Cryptography;
using Conclave.Web.E2ee;

namespace Conclave.Web.Tests;

/// <summary>MLS signature keys as a browser makes them: P-256 key pairs, the public half as an uncompressed point.</summary>
internal static class TestSignatureKeys
{
    /// <summary>The P-256 generator (SEC 2 §2.4.2): the public key of private key 1.</summary>
    public static readonly byte[] Generator = Convert.FromHexString(
        "046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C2964FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");

    public static byte[] NewPoint()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    public static MlsSignatureKey New() => MlsSignatureKey.TryCreate(NewPoint())!;
}
