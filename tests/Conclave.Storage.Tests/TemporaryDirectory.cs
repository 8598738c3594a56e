using Microsoft.Data.Sqlite;

namespace Conclave.Storage.Tests;

/// <summary>A directory of its own for one test, deleted with everything in it afterwards.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("conclave-storage-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        // Pooled connections keep the database (and its WAL files) open until the pools let go.
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}

/// <summary>Plain connections to a database file, for setting up and looking at what the stores wrote.</summary>
internal static class PlainSql
{
    public static SqliteConnection Connect(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, ForeignKeys = true }.ToString());
        connection.Open();
        return connection;
    }

    public static object? Scalar(string path, string sql)
    {
        using var connection = Connect(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}

/// <summary>A test with a fresh database at the latest schema.</summary>
public abstract class DatabaseTest : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    protected DatabaseTest() => Database = ApplianceDatabase.Open(DatabasePath);

    protected string DatabasePath => _directory.File("conclave.db");

    protected ApplianceDatabase Database { get; }

    protected object? Scalar(string sql) => PlainSql.Scalar(DatabasePath, sql);

    public void Dispose()
    {
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }
}
