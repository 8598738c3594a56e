using System.Security.Cryptography;

namespace Conclave.Media.Ice;

/// <summary>An ICE username fragment and password (RFC 8839 §5.4).</summary>
public sealed record IceCredentials(string Ufrag, string Password)
{
    // ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4)
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>8 ufrag characters (≥ 4 required) and 24 password characters (≥ 22 required, 128+ bits).</summary>
    public static IceCredentials Generate() =>
        new(RandomNumberGenerator.GetString(IceChars, 8), RandomNumberGenerator.GetString(IceChars, 24));

    /// <summary>Never print the password: it authenticates every connectivity check.</summary>
    public override string ToString() => $"IceCredentials {{ Ufrag = {Ufrag} }}";
}
