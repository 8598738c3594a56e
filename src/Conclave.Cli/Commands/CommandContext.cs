using System.CommandLine;
using Conclave.Keys;
using Conclave.Storage;
using Spectre.Console;

namespace Conclave.Cli.Commands;

/// <summary>What every command works on: the state directory, the token, development or not.</summary>
internal sealed record CommandContext(string StateDirectory, TokenOptions Options, bool Development)
{
    /// <summary>Runs a command; a token, file or domain failure is one red line and exit 1, never a stack trace.</summary>
    public static int Run(ParseResult result, Func<CommandContext, int> command)
    {
        var context = new CommandContext(
            Path.GetFullPath(result.GetValue(CliOptions.StateDirectory)!),
            new TokenOptions { ModulePath = result.GetValue(CliOptions.Module)!, TokenLabel = result.GetValue(CliOptions.Label)! },
            result.GetValue(CliOptions.Development));
        try
        {
            Storage.StateDirectory.RestrictNewFilesToOwner();
            if (!Storage.StateDirectory.TryPrepare(context.StateDirectory, out var refusal))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: {refusal}[/]");
                return 1;
            }
            if (context.Development) DevelopmentToken.UseConfiguration(context.StateDirectory);
            return command(context);
        }
        catch (Exception e) when (e is TokenException or InvalidDataException or Crypto.Envelopes.SealedDataException or Meetings.DomainException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: {e.Message}[/]");
            return 1;
        }
    }

    /// <summary>The appliance's database (SQLite in WAL mode: reading it while conclaved runs is safe).</summary>
    public ApplianceDatabase OpenDatabase()
    {
        string path = Path.Combine(StateDirectory, ApplianceDatabase.FileName);
        if (!File.Exists(path)) throw new InvalidDataException($"{path} does not exist: conclaved has not run with this state directory");
        return ApplianceDatabase.Open(path);
    }

    public Keys.Token OpenToken() => Keys.Token.Open(Options, TokenPin.Read(StateDirectory, allowDevelopmentFile: Development));

    /// <summary>
    /// For commands that change the state: the lock conclaved holds while it runs. Throws a
    /// one-line refusal when the daemon (or another such command) is using the directory.
    /// </summary>
    public StateLock LockState() => StateLock.TryAcquire(StateDirectory)
        ?? throw new InvalidDataException($"{StateDirectory} is in use by a running conclaved (or another conclavectl): stop it first, e.g. systemctl stop conclaved");
}
