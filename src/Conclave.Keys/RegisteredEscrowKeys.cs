using System.Security.Cryptography;
using Conclave.Keys.Pkcs11;

namespace Conclave.Keys;

/// <summary>
/// The escrow keys recordings are escrowed to, registered on the appliance token as public
/// data objects <c>conclave-escrow-key-1</c>, <c>-2</c>, … holding each key's
/// SubjectPublicKeyInfo (DER). The token is the integrity root: a stolen or edited database
/// cannot substitute a key. Anyone may read them; only a logged-in session writes them
/// (<c>conclavectl compliance register</c>); conclaved reads them at start.
/// </summary>
public static class RegisteredEscrowKeys
{
    public const string LabelPrefix = "conclave-escrow-key-";

    /// <summary>DER SubjectPublicKeyInfo of a P-256 key: SEQUENCE { AlgorithmIdentifier, BIT STRING of the 65-byte point }.</summary>
    public const int SubjectPublicKeyInfoLength = 91;

    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>The registered keys' SubjectPublicKeyInfos, <c>-1</c> first; empty when none is registered.</summary>
    public static IReadOnlyList<byte[]> Read(Token appliance)
    {
        var objects = new DataObjects(appliance.Session);
        var keys = new List<byte[]>();
        for (int number = 1; objects.Read(LabelPrefix + number) is { } spki; number++)
        {
            if (!IsP256SubjectPublicKeyInfo(spki)) throw new TokenException($"token '{appliance.Label}': {LabelPrefix}{number} is not a P-256 public key");
            keys.Add(spki);
        }
        return keys;
    }

    /// <summary>
    /// Registers exactly <paramref name="subjectPublicKeyInfos"/>: each written as a public data
    /// object, then any registered beyond them destroyed.
    /// </summary>
    public static void Write(Token appliance, IReadOnlyList<byte[]> subjectPublicKeyInfos)
    {
        if (subjectPublicKeyInfos.Count == 0) throw new ArgumentException("at least one escrow key is registered", nameof(subjectPublicKeyInfos));
        foreach (var spki in subjectPublicKeyInfos)
        {
            if (!IsP256SubjectPublicKeyInfo(spki)) throw new ArgumentException("an escrow key must be a P-256 SubjectPublicKeyInfo (DER)", nameof(subjectPublicKeyInfos));
        }
        if (subjectPublicKeyInfos.Select(spki => Convert.ToHexString(spki)).Distinct().Count() != subjectPublicKeyInfos.Count)
        {
            throw new ArgumentException("the same escrow key is listed twice", nameof(subjectPublicKeyInfos));
        }
        var objects = new DataObjects(appliance.Session);
        for (int i = 0; i < subjectPublicKeyInfos.Count; i++) objects.Write(LabelPrefix + (i + 1), subjectPublicKeyInfos[i], isPrivate: false);
        int beyond = subjectPublicKeyInfos.Count + 1;
        while (objects.Delete(LabelPrefix + beyond)) beyond++;
    }

    /// <summary>A DER SubjectPublicKeyInfo of a P-256 key, exactly: parsed, on the curve, and nothing after it.</summary>
    private static bool IsP256SubjectPublicKeyInfo(byte[] spki)
    {
        if (spki.Length != SubjectPublicKeyInfoLength) return false;
        try
        {
            using var key = ECDiffieHellman.Create();
            key.ImportSubjectPublicKeyInfo(spki, out int read);
            return read == spki.Length && key.ExportParameters(false).Curve.Oid.Value == P256Oid;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
