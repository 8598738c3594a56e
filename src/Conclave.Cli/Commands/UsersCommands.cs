using System.CommandLine;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Spectre.Console;

namespace Conclave.Cli.Commands;

/// <summary>
/// conclavectl users: the accounts, seen from the box. <c>reset</c> is the way back in when
/// no admin can log in (a lost authenticator, a forgotten password): it needs root on the
/// appliance, the token's PIN, and conclaved stopped, and it is audited like a console reset.
/// </summary>
internal static class UsersCommands
{
    public static Command Create()
    {
        var users = new Command("users", "Console accounts");

        var list = new Command("list", "Every account: roles, state, second factor");
        list.SetAction(result => CommandContext.Run(result, List));
        users.Subcommands.Add(list);

        var name = new Argument<string>("user") { Description = "The user name" };
        var reset = new Command("reset", "New password (read from standard input, never the command line), TOTP cleared, lockout lifted, account enabled; conclaved must be stopped");
        reset.Arguments.Add(name);
        reset.SetAction(result => CommandContext.Run(result, context => Reset(context, result.GetValue(name)!)));
        users.Subcommands.Add(reset);
        return users;
    }

    private static int List(CommandContext context)
    {
        var table = new Table().AddColumns("user", "name", "roles", "state", "TOTP");
        foreach (var account in context.OpenDatabase().Accounts.List())
        {
            string state = account.Disabled ? "disabled" : "active";
            table.AddRow(Markup.Escape(account.UserName), Markup.Escape(account.DisplayName), Roles.Describe(account.Roles), state,
                account.HasSecondFactor ? "enrolled" : account.MustEnrolSecondFactor ? "[yellow]required, not enrolled[/]" : "no");
        }
        AnsiConsole.Write(table);
        return 0;
    }

    private static int Reset(CommandContext context, string userName)
    {
        using var stateLock = context.LockState();
        var database = context.OpenDatabase();
        string password = ReadNewPassword();
        using var token = context.OpenToken();
        using var audit = OperatorAudit.Open(context, token);
        var reset = new CredentialReset(database.Accounts, database.Sessions, audit, new PasswordHasher(Argon2Parameters.Default));
        var account = reset.ResetByOperator(userName, password, AuditActor.Operator(Environment.UserName));
        AnsiConsole.MarkupLineInterpolated($"Reset [bold]{account.UserName}[/]: new password set, enabled, lockout lifted, TOTP cleared ({(account.MustEnrolSecondFactor ? "they enrol again at their next login" : "optional for their roles")}).");
        return 0;
    }

    /// <summary>From a terminal: asked twice, not echoed. Piped: the first line of standard input.</summary>
    private static string ReadNewPassword()
    {
        if (Console.IsInputRedirected) return Console.In.ReadLine() ?? "";
        string first = AnsiConsole.Prompt(new TextPrompt<string>("New password:").Secret());
        string again = AnsiConsole.Prompt(new TextPrompt<string>("Again:").Secret());
        return first == again ? first : throw new Meetings.DomainException(Meetings.DomainErrorKind.Invalid, "the two passwords differ");
    }
}
