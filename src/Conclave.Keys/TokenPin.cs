using System.Text;

namespace Conclave.Keys;

/// <summary>
/// Where the token PIN comes from: a systemd credential ($CREDENTIALS_DIRECTORY/token-pin,
/// LoadCredential=) or, in development only, a 0600 file in the state directory.
/// Never an argument, an environment variable or a log line.
/// </summary>
public static class TokenPin
{
    public const string CredentialName = "token-pin";

    public static byte[] Read(string stateDirectory, bool allowDevelopmentFile)
    {
        string? credentials = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
        if (credentials is not null && File.Exists(Path.Combine(credentials, CredentialName)))
        {
            return ReadTrimmed(Path.Combine(credentials, CredentialName));
        }
        string development = Path.Combine(stateDirectory, DevelopmentToken.PinFileName);
        if (!allowDevelopmentFile)
        {
            throw new TokenException($"no token PIN: provide the systemd credential '{CredentialName}' (LoadCredential=)");
        }
        if (!File.Exists(development))
        {
            throw new TokenException($"no token PIN: no systemd credential '{CredentialName}' and no {development} (run conclavectl token init --dev)");
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(development) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new TokenException($"{development} is readable by others; it must be mode 0600");
        }
        return ReadTrimmed(development);
    }

    private static byte[] ReadTrimmed(string path)
    {
        var text = File.ReadAllText(path).TrimEnd('\n', '\r');
        if (text.Length == 0) throw new TokenException($"{path} is empty");
        return Encoding.UTF8.GetBytes(text);
    }
}
