using System.CommandLine;
using Conclave.Keys;

namespace Conclave.Cli;

/// <summary>Options every command shares; defaults match conclaved's development defaults.</summary>
internal static class CliOptions
{
    public static Option<string> StateDirectory { get; } = new("--state-dir")
    {
        Description = "The appliance's state directory (conclaved's Conclave:StateDirectory)",
        DefaultValueFactory = _ => "./.state",
        Recursive = true,
    };

    public static Option<string> Module { get; } = new("--module")
    {
        Description = "PKCS#11 module: SoftHSM2 in development, the vendor's library in production",
        DefaultValueFactory = _ => DevelopmentToken.SoftHsmModulePath,
        Recursive = true,
    };

    public static Option<string> Label { get; } = new("--token")
    {
        Description = "Label of the token (tokens are found by label, never by slot number)",
        DefaultValueFactory = _ => "conclave",
        Recursive = true,
    };

    public static Option<bool> Development { get; } = new("--dev")
    {
        Description = "Development mode: a SoftHSM2 token and its PIN file under the state directory",
        Recursive = true,
    };
}
