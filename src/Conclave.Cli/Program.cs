using System.CommandLine;
using Conclave.Cli;
using Conclave.Cli.Commands;

// conclavectl: exit 0 on success, 1 when the operation failed, 2 for a misuse.
// Piped output has no terminal width; honour COLUMNS as shells do, so tables do not wrap at 80.
if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns > 0) Spectre.Console.AnsiConsole.Profile.Width = columns;

var root = new RootCommand("conclavectl: provision and inspect a Conclave appliance");
root.Options.Add(CliOptions.StateDirectory);
root.Options.Add(CliOptions.Module);
root.Options.Add(CliOptions.Label);
root.Options.Add(CliOptions.Development);
root.Subcommands.Add(TokenCommands.Create());
root.Subcommands.Add(ComplianceCommands.Create());
root.Subcommands.Add(AuditCommands.Create());
root.Subcommands.Add(UsersCommands.Create());
root.Subcommands.Add(RecordingsCommands.Create());
return root.Parse(args).Invoke();
