using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>
/// Which constraint a write broke. Every one is SQLITE_CONSTRAINT (19); the extended code
/// (https://sqlite.org/rescode.html) tells a taken name from a missing account.
/// </summary>
internal static class SqliteErrors
{
    private const int ConstraintForeignKey = 787;
    private const int ConstraintPrimaryKey = 1555;
    private const int ConstraintUnique = 2067;

    /// <summary>SQLITE_CORRUPT and SQLITE_NOTADB: the file is not a database SQLite can read.</summary>
    public static bool IsNotADatabase(this SqliteException e) => e.SqliteErrorCode is 11 or 26;

    public static bool IsUniqueViolation(this SqliteException e) => e.SqliteExtendedErrorCode is ConstraintUnique or ConstraintPrimaryKey;

    public static bool IsForeignKeyViolation(this SqliteException e) => e.SqliteExtendedErrorCode == ConstraintForeignKey;
}
