using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Conclave.Meetings.Accounts;

/// <summary>
/// The one-time link that creates the first admin: there is no default password. While no
/// admin exists, each start makes a new random token (held in memory only) that the daemon
/// prints once; creating the admin consumes it.
/// </summary>
public sealed class FirstAdminSetup
{
    private readonly Lock _lock = new();
    private byte[]? _token;

    /// <summary>Makes a fresh token and returns it for the setup link (base64url, 256 bits).</summary>
    public string Issue()
    {
        lock (_lock)
        {
            _token = RandomNumberGenerator.GetBytes(32);
            return Base64Url.EncodeToString(_token);
        }
    }

    public bool IsOpen
    {
        get { lock (_lock) return _token is not null; }
    }

    /// <summary>Puts a consumed token back, when the admin it was for could not be created (a bad form).</summary>
    public void Reopen(string token)
    {
        lock (_lock)
        {
            if (_token is null && token.Length <= 64) _token = Base64Url.DecodeFromChars(token);
        }
    }

    /// <summary>True once for the issued token; constant-time comparison.</summary>
    public bool TryConsume(string? candidate)
    {
        lock (_lock)
        {
            if (_token is null || candidate is null || candidate.Length > 64) return false;
            byte[] given = Encoding.ASCII.GetBytes(candidate);
            if (!CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(Base64Url.EncodeToString(_token)))) return false;
            _token = null;
            return true;
        }
    }
}
