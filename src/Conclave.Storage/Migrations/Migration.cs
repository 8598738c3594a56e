namespace Conclave.Storage;

/// <summary>
/// One step of the schema. Its script ends by setting PRAGMA user_version to <paramref name="Version"/>,
/// inside the same transaction as its changes, so a step is either wholly applied and counted or not at all.
/// </summary>
internal sealed record Migration(int Version, string Sql);
