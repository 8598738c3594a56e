using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OtpNet;

namespace Conclave.Meetings.Accounts;

/// <summary>
/// TOTP (RFC 6238) second factor. The step, digit count and hash are the ones authenticator apps
/// support everywhere: 30 seconds, 6 digits, HMAC-SHA-1.
/// </summary>
public sealed class TotpAuthenticator(TimeProvider time)
{
    /// <summary>RFC 6238 §5.2 recommends 30 seconds.</summary>
    public const int StepSeconds = 30;

    public const int Digits = 6;

    /// <summary>RFC 4226 §4 recommends a 160-bit shared secret.</summary>
    public const int SecretBytes = 20;

    /// <summary>RFC 6238 §5.2: accept one step either side for clock drift and the time it takes to type the code.</summary>
    public const int AcceptedDriftSteps = 1;

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>
    /// True when <paramref name="code"/> is the code of a step within the accepted drift that is later than
    /// <paramref name="lastUsedStep"/>; the caller stores <paramref name="matchedStep"/> as the new last used step,
    /// so an observed code cannot be replayed (RFC 6238 §5.2). <paramref name="matchedStep"/> is 0 when false.
    /// </summary>
    public bool TryVerify(ReadOnlySpan<byte> secret, string code, long lastUsedStep, out long matchedStep)
    {
        ArgumentNullException.ThrowIfNull(code);
        matchedStep = 0;
        var candidate = code.Trim();
        if (candidate.Length != Digits || !candidate.All(char.IsAsciiDigit)) return false;

        var key = secret.ToArray();
        try
        {
            var totp = NewTotp(key);
            long currentStep = time.GetUtcNow().ToUnixTimeSeconds() / StepSeconds;
            for (long step = Math.Max(currentStep - AcceptedDriftSteps, lastUsedStep + 1); step <= currentStep + AcceptedDriftSteps; step++)
            {
                var expected = totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * StepSeconds).UtcDateTime);
                if (CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected.AsSpan()), MemoryMarshal.AsBytes(candidate.AsSpan())))
                {
                    matchedStep = step;
                    return true;
                }
            }
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public string CodeAt(ReadOnlySpan<byte> secret, DateTimeOffset time)
    {
        var key = secret.ToArray();
        try
        {
            return NewTotp(key).ComputeTotp(time.UtcDateTime);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// The secret as authenticator apps take it when typed in. Padding is dropped: the Key Uri Format
    /// (github.com/google/google-authenticator/wiki/Key-Uri-Format) says to omit it.
    /// </summary>
    public static string ToBase32(ReadOnlySpan<byte> secret) => Base32Encoding.ToString(secret.ToArray()).TrimEnd('=');

    /// <summary>
    /// The otpauth:// URI of the Key Uri Format that authenticator apps read from the enrolment QR code.
    /// Issuer and account name are percent-encoded (RFC 3986 §2.1), so a ':' or space in them cannot end the label early.
    /// </summary>
    public static string ProvisioningUri(string issuer, string accountName, ReadOnlySpan<byte> secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(issuer);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        var escapedIssuer = Uri.EscapeDataString(issuer);
        return $"otpauth://totp/{escapedIssuer}:{Uri.EscapeDataString(accountName)}"
            + $"?secret={ToBase32(secret)}&issuer={escapedIssuer}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";
    }

    private static Totp NewTotp(byte[] key) => new(key, StepSeconds, OtpHashMode.Sha1, Digits);
}
