using Conclave.Meetings.Ports;
using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>
/// The appliance's SQLite database: accounts, console sessions, meetings, settings, the recordings' and the shared files' indexes behind
/// the ports Conclave.Meetings defines. Each operation opens its own pooled connection, so one
/// instance may be used from any number of threads.
/// </summary>
public sealed class ApplianceDatabase
{
    /// <summary>The database's file name under the state directory.</summary>
    public const string FileName = "conclave.db";

    private readonly SqliteConnector _connector;

    private ApplianceDatabase(SqliteConnector connector)
    {
        _connector = connector;
        Accounts = new SqliteAccountStore(connector);
        Sessions = new SqliteSessionStore(connector);
        Settings = new SqliteSettingsStore(connector);
        Meetings = new SqliteMeetingStore(connector);
        Recordings = new SqliteRecordingIndex(connector);
        SharedFiles = new SqliteSharedFileIndex(connector);
    }

    public IAccountStore Accounts { get; }

    public ISessionStore Sessions { get; }

    public ISettingsStore Settings { get; }

    public IMeetingStore Meetings { get; }

    public IRecordingIndex Recordings { get; }

    public ISharedFileIndex SharedFiles { get; }

    /// <summary>The schema version the file is at, read from it now (PRAGMA user_version).</summary>
    public int SchemaVersion
    {
        get
        {
            using var connection = _connector.Open();
            return Migrations.CurrentVersion(connection);
        }
    }

    /// <summary>
    /// Opens the database at <paramref name="path"/>, creating it if missing (its directory must
    /// exist), and brings its schema up to date.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a SQLite database, or a newer release wrote its schema.</exception>
    public static ApplianceDatabase Open(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (!Directory.Exists(Path.GetDirectoryName(fullPath)))
        {
            throw new DirectoryNotFoundException($"Cannot open the database '{fullPath}': its directory does not exist.");
        }
        var connector = new SqliteConnector(fullPath);
        try
        {
            using var connection = connector.Open();
            UseWriteAheadLog(connection, fullPath);
            int version = Migrations.CurrentVersion(connection);
            if (version > Migrations.Latest)
            {
                throw new InvalidDataException(
                    $"The database '{fullPath}' has schema version {version}, but this release knows versions up to {Migrations.Latest}: " +
                    "a newer release wrote it. Run that release, or restore a backup made by this one.");
            }
            Migrations.ApplyUpTo(connection, Migrations.Latest);
        }
        catch (SqliteException e) when (e.IsNotADatabase())
        {
            throw new InvalidDataException($"The file '{fullPath}' is not a Conclave database: {e.Message}", e);
        }
        return new ApplianceDatabase(connector);
    }

    /// <summary>
    /// In WAL mode readers never wait for the writer, and a crash never leaves a half-written
    /// page. The mode is kept in the file, so setting it once at open is enough.
    /// </summary>
    private static void UseWriteAheadLog(SqliteConnection connection, string path)
    {
        using var command = connection.Command("PRAGMA journal_mode = WAL");
        string? mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            // SQLite keeps the old mode where WAL is impossible (a file system without shared memory).
            throw new IOException($"The database '{path}' cannot use write-ahead logging here (its journal mode stays '{mode}').");
        }
    }
}
