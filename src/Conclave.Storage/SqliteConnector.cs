using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>
/// Opens one connection per operation. Microsoft.Data.Sqlite pools them, so this is cheap,
/// and no connection is ever shared between threads.
/// </summary>
internal sealed class SqliteConnector(string path)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
    }.ToString();

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // Both are per connection, not per file, and a pooled connection may come back with
            // anything: set them every time. Without foreign_keys SQLite ignores every REFERENCES;
            // busy_timeout makes a writer wait for another instead of failing at once.
            using var command = connection.Command("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
