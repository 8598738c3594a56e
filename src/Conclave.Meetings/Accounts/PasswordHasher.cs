using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Conclave.Meetings.Accounts;

/// <summary>
/// Hashes passwords with Argon2id (RFC 9106) into PHC strings that carry their own salt and parameters,
/// so <see cref="Verify"/> keeps working for old hashes after the parameters are raised.
/// </summary>
public sealed class PasswordHasher
{
    /// <summary>In UTF-16 code units (<see cref="string.Length"/>).</summary>
    public const int MinPasswordLength = 12;

    /// <summary>In UTF-16 code units; bounds the work an unauthenticated login can ask of us.</summary>
    public const int MaxPasswordLength = 1024;

    /// <summary>RFC 9106 §3.1 recommends a 128-bit salt.</summary>
    private const int SaltBytes = 16;

    /// <summary>RFC 9106 §3.1: a salt shorter than 8 bytes is not Argon2.</summary>
    private const int MinSaltBytes = 8;

    /// <summary>RFC 9106 §4 recommends a 256-bit tag; it is the only length we write.</summary>
    private const int TagBytes = 32;

    /// <summary>
    /// Hashes at once: each holds its memory cost (19 MiB by default) and a core for ~50 ms,
    /// so a flood of logins waits here instead of exhausting memory and stalling signalling.
    /// </summary>
    public static readonly int DefaultMaxConcurrentHashes = Math.Max(1, Environment.ProcessorCount);

    /// <summary>How long a login waits for a free hashing slot before it is told the appliance is busy.</summary>
    public static readonly TimeSpan DefaultHashingWait = TimeSpan.FromSeconds(5);

    private readonly Argon2Parameters _parameters;

    public PasswordHasher(Argon2Parameters parameters, int? maxConcurrentHashes = null, TimeSpan? hashingWait = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters;
        Hashing = new HashingSlots(maxConcurrentHashes ?? DefaultMaxConcurrentHashes, hashingWait ?? DefaultHashingWait);
    }

    internal HashingSlots Hashing { get; }

    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length is < MinPasswordLength or > MaxPasswordLength)
            throw new ArgumentException($"A password must be {MinPasswordLength} to {MaxPasswordLength} characters long.", nameof(password));
        return HashWithNewSalt(password);
    }

    /// <summary>
    /// A guest invitation's passcode (MeetingService asks for 4 characters or more): hashed like a password, but
    /// without the password length rule, since the invitation link's own 256-bit token
    /// is the real secret and wrong passcodes revoke the invitation after a few tries.
    /// </summary>
    public string HashPasscode(string passcode)
    {
        ArgumentException.ThrowIfNullOrEmpty(passcode);
        if (passcode.Length > MaxPasswordLength) throw new ArgumentException($"A passcode has at most {MaxPasswordLength} characters.", nameof(passcode));
        return HashWithNewSalt(passcode);
    }

    private string HashWithNewSalt(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PhcHash(_parameters, salt, HashPassword(secret, salt, _parameters)).ToPhcString();
    }

    /// <summary>False for a wrong password, an over-long one (without hashing it) or a malformed stored hash.</summary>
    public bool Verify(string password, string phcHash)
    {
        ArgumentNullException.ThrowIfNull(password);
        // Argon2 refuses an empty password; so do we, before hashing anything.
        if (password.Length is 0 or > MaxPasswordLength || !PhcHash.TryParse(phcHash, out var stored)) return false;
        return CryptographicOperations.FixedTimeEquals(HashPassword(password, stored.Salt, stored.Parameters), stored.Tag);
    }

    /// <summary>True when the stored hash was made with other parameters (or cannot be read): hash again after a successful login.</summary>
    public bool NeedsRehash(string phcHash) =>
        !PhcHash.TryParse(phcHash, out var stored) || stored.Parameters != _parameters;

    /// <summary>Argon2id with every RFC 9106 §3.1 input exposed, so the §5.3 test vector can be checked.</summary>
    internal static byte[] Argon2idRaw(byte[] password, byte[] salt, byte[]? secret, byte[]? associatedData, Argon2Parameters p, int tagBytes)
    {
        using var argon2 = new Argon2id(password)
        {
            Salt = salt,
            KnownSecret = secret,
            AssociatedData = associatedData,
            MemorySize = p.MemoryKiB,
            Iterations = p.Iterations,
            DegreeOfParallelism = p.Parallelism,
        };
        return argon2.GetBytes(tagBytes);
    }

    private byte[] HashPassword(string password, byte[] salt, Argon2Parameters parameters)
    {
        using var slot = Hashing.Enter();
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return Argon2idRaw(passwordBytes, salt, secret: null, associatedData: null, parameters, TagBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>
    /// The PHC string format (github.com/P-H-C/phc-string-format) as the Argon2 reference implementation writes it:
    /// <c>$argon2id$v=19$m=&lt;KiB&gt;,t=&lt;passes&gt;,p=&lt;lanes&gt;$&lt;salt&gt;$&lt;tag&gt;</c>, salt and tag in base64 without padding.
    /// v=19 is version 0x13, the only one RFC 9106 defines.
    /// </summary>
    private sealed record PhcHash(Argon2Parameters Parameters, byte[] Salt, byte[] Tag)
    {
        public string ToPhcString() => string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={Parameters.MemoryKiB},t={Parameters.Iterations},p={Parameters.Parallelism}${ToBase64Unpadded(Salt)}${ToBase64Unpadded(Tag)}");

        public static bool TryParse(string? phc, [NotNullWhen(true)] out PhcHash? hash)
        {
            hash = null;
            if (phc?.Split('$') is not ["", "argon2id", "v=19", var costs, var salt64, var tag64]) return false;
            if (costs.Split(',') is not [var m, var t, var p]
                || !TryParseCost(m, "m=", out var memoryKiB)
                || !TryParseCost(t, "t=", out var iterations)
                || !TryParseCost(p, "p=", out var parallelism)
                || !Argon2Parameters.AreValid(memoryKiB, iterations, parallelism)) return false;
            if (FromBase64Unpadded(salt64) is not { Length: >= MinSaltBytes } salt
                || FromBase64Unpadded(tag64) is not { Length: TagBytes } tag) return false;

            hash = new PhcHash(new Argon2Parameters(memoryKiB, iterations, parallelism), salt, tag);
            return true;
        }

        private static bool TryParseCost(string field, string name, out int value)
        {
            value = 0;
            return field.StartsWith(name, StringComparison.Ordinal)
                && int.TryParse(field.AsSpan(name.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        private static string ToBase64Unpadded(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

        private static byte[]? FromBase64Unpadded(string text)
        {
            if (text.Length == 0 || text.Length % 4 == 1) return null; // no base64 text has 4k+1 characters
            var decoded = new byte[text.Length * 3 / 4];
            var padded = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
            return Convert.TryFromBase64String(padded, decoded, out var written) && written == decoded.Length ? decoded : null;
        }
    }
}
