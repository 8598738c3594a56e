using System.Text;
using Conclave.Keys;
using Spectre.Console;

namespace Conclave.Cli;

/// <summary>
/// The compliance token's PIN, which conclaved never sees: the systemd credential
/// <c>$CREDENTIALS_DIRECTORY/compliance-pin</c> when there is one, else a prompt that does
/// not echo when standard input is a terminal, else one line of standard input (scripts
/// and tests pipe it). Never an argument or an environment variable, never printed.
/// </summary>
internal static class CompliancePin
{
    public const string CredentialName = "compliance-pin";

    public static byte[] Read(string tokenLabel)
    {
        string? credentials = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
        string? pin;
        if (credentials is not null && File.Exists(Path.Combine(credentials, CredentialName)))
        {
            pin = File.ReadAllText(Path.Combine(credentials, CredentialName)).TrimEnd('\n', '\r');
        }
        else if (!Console.IsInputRedirected)
        {
            pin = AnsiConsole.Prompt(new TextPrompt<string>($"PIN of compliance token {Markup.Escape(tokenLabel)}:").Secret());
        }
        else
        {
            pin = Console.In.ReadLine()?.TrimEnd('\r');
        }
        if (string.IsNullOrEmpty(pin))
        {
            throw new TokenException($"no PIN for compliance token '{tokenLabel}': give the systemd credential '{CredentialName}', type it at the prompt, or pipe it as one line");
        }
        return Encoding.UTF8.GetBytes(pin);
    }
}
