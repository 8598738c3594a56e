namespace Conclave.Cli.Tests;

/// <summary>
/// Tests that open the process's shared development token run one at a time: a
/// process opens a token once (Token.Open refuses a second), and the PKCS#11 module
/// reads its configuration once per process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedTokenCollection
{
    public const string Name = "shared development token";
}
