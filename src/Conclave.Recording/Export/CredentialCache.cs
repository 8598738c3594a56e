using System.Security.Cryptography;

namespace Conclave.Recording.Export;

/// <summary>
/// Credentials read and checked once each: the same credential stands in every roster its leaf is
/// in and in its Participant record. Owns the credential CA's public key.
/// </summary>
internal sealed class CredentialCache : IDisposable
{
    private readonly ECDsa _ca;
    private readonly Dictionary<string, CredentialFacts?> _facts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <param name="caSubjectPublicKeyInfo">The credential CA's public key (DER SubjectPublicKeyInfo, P-256).</param>
    /// <exception cref="ArgumentException">Not a P-256 SubjectPublicKeyInfo.</exception>
    public CredentialCache(byte[] caSubjectPublicKeyInfo)
    {
        _ca = ECDsa.Create();
        try
        {
            _ca.ImportSubjectPublicKeyInfo(caSubjectPublicKeyInfo, out int read);
            if (read != caSubjectPublicKeyInfo.Length || _ca.KeySize != 256) throw new CryptographicException("not a P-256 key");
        }
        catch (CryptographicException e)
        {
            _ca.Dispose();
            throw new ArgumentException("the credential CA key is not the SubjectPublicKeyInfo of a P-256 key", nameof(caSubjectPublicKeyInfo), e);
        }
    }

    /// <summary>The credential's facts (with whether the CA signed it), or null when it is not a ConclaveCredential.</summary>
    public CredentialFacts? Read(byte[] credential)
    {
        string id = Id(credential);
        if (!_facts.TryGetValue(id, out var facts)) _facts.Add(id, facts = ConclaveCredentialReader.Read(credential, _ca));
        return facts;
    }

    /// <summary>True the first time a trouble with this credential is to be reported, so one bad credential is one problem.</summary>
    public bool FirstTrouble(byte[] credential) => _reported.Add(Id(credential));

    public void Dispose() => _ca.Dispose();

    private static string Id(byte[] credential) => Convert.ToHexStringLower(SHA256.HashData(credential));
}
