namespace Conclave.Keys.Tests;

/// <summary>
/// Tests that use the shared token run one at a time: OpenSSL's pkcs11 engine logs in
/// again when it loads a key, and a concurrent operation can fall into that moment
/// (docs/notes.md).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedTokenCollection
{
    public const string Name = "shared SoftHSM2 token";
}
