using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>
/// Commands with bound parameters, and the conversions between domain values and what the
/// schema stores: times as Unix milliseconds UTC, flags as 0 or 1, nothing as NULL.
/// </summary>
internal static class SqliteCommands
{
    /// <summary>A command on the connection; it joins the connection's open transaction, if any.</summary>
    public static SqliteCommand Command(this SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    // Without these overloads a DateTimeOffset would be bound as text in its own offset.
    public static SqliteCommand With(this SqliteCommand command, string name, DateTimeOffset time) =>
        command.With(name, time.ToUnixTimeMilliseconds());

    public static SqliteCommand With(this SqliteCommand command, string name, DateTimeOffset? time) =>
        command.With(name, time?.ToUnixTimeMilliseconds());

    public static T? ReadSingle<T>(this SqliteCommand command, Func<SqliteDataReader, T> read) where T : class
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? read(reader) : null;
    }

    public static List<T> ReadAll<T>(this SqliteCommand command, Func<SqliteDataReader, T> read)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    public static bool ReadFlag(this SqliteCommand command) => Convert.ToInt64(command.ExecuteScalar()) != 0;

    public static DateTimeOffset GetTime(this SqliteDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static DateTimeOffset? GetNullableTime(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetTime(ordinal);

    public static byte[] GetBlob(this SqliteDataReader reader, int ordinal) => reader.GetFieldValue<byte[]>(ordinal);

    public static byte[]? GetNullableBlob(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetBlob(ordinal);

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
