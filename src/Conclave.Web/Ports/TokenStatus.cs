namespace Conclave.Web.Ports;

/// <summary>What the Token page shows; the daemon reads it from the token (Web never sees PKCS#11).</summary>
/// <param name="Problem">Why the token cannot be read right now (absent, logged out), or null.</param>
public sealed record TokenStatus(string Label, string ModulePath, bool Reachable, string? Problem,
    IReadOnlyList<TokenKeyStatus> Keys, IReadOnlyList<TokenCertificateStatus> Certificates);

public sealed record TokenKeyStatus(string Role, string Label, bool Found, bool Sensitive, bool Extractable);

public sealed record TokenCertificateStatus(string Role, string Subject, string Sha256Fingerprint, DateTimeOffset NotAfter);
