using Conclave.Meetings;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Recordings;
using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>The recordings' index, in the table migration 4 made: metadata only, never content.</summary>
internal sealed class SqliteRecordingIndex(SqliteConnector connector) : IRecordingIndex
{
    // The column order ReadRecording expects.
    private const string SelectRecordings = """
        SELECT id, meeting_id, meeting_title, started_by, scope, started_at, stopped_at, ended_by, bytes, manifest_sha256,
               retain_until, legal_hold, shredded_at
        FROM recordings
        """;

    public void Add(Recording recording)
    {
        using var connection = connector.Open();
        using var insert = Bind(connection.Command("""
            INSERT INTO recordings (id, meeting_id, meeting_title, started_by, scope, started_at, stopped_at, ended_by, bytes,
                                    manifest_sha256, retain_until, legal_hold, shredded_at)
            VALUES ($id, $meeting_id, $meeting_title, $started_by, $scope, $started_at, $stopped_at, $ended_by, $bytes,
                    $manifest_sha256, $retain_until, $legal_hold, $shredded_at)
            """), recording);
        try
        {
            insert.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.IsUniqueViolation())
        {
            throw DomainException.Conflict($"A recording with id {recording.Id} exists already.");
        }
    }

    public Recording? Find(string recordingId) => ReadOne($"{SelectRecordings} WHERE id = $id", "$id", recordingId);

    public Recording? FindActive(string meetingId) =>
        ReadOne($"{SelectRecordings} WHERE meeting_id = $meeting_id AND stopped_at IS NULL", "$meeting_id", meetingId);

    public IReadOnlyList<Recording> List()
    {
        using var connection = connector.Open();
        using var command = connection.Command($"{SelectRecordings} ORDER BY started_at DESC, id");
        using var reader = command.ExecuteReader();
        var recordings = new List<Recording>();
        while (reader.Read()) recordings.Add(ReadRecording(reader));
        return recordings;
    }

    public void Update(Recording recording)
    {
        using var connection = connector.Open();
        using var update = Bind(connection.Command("""
            UPDATE recordings
            SET meeting_id = $meeting_id, meeting_title = $meeting_title, started_by = $started_by, scope = $scope,
                started_at = $started_at, stopped_at = $stopped_at, ended_by = $ended_by, bytes = $bytes,
                manifest_sha256 = $manifest_sha256, retain_until = $retain_until, legal_hold = $legal_hold, shredded_at = $shredded_at
            WHERE id = $id
            """), recording);
        if (update.ExecuteNonQuery() == 0) throw DomainException.NotFound("No such recording.");
    }

    private Recording? ReadOne(string sql, string name, string value)
    {
        using var connection = connector.Open();
        using var command = connection.Command(sql).With(name, value);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRecording(reader) : null;
    }

    private static SqliteCommand Bind(SqliteCommand command, Recording recording) => command
        .With("$id", recording.Id)
        .With("$meeting_id", recording.MeetingId)
        .With("$meeting_title", recording.MeetingTitle)
        .With("$started_by", recording.StartedBy)
        .With("$scope", (int)recording.Scope)
        .With("$started_at", recording.StartedAt)
        .With("$stopped_at", recording.StoppedAt)
        .With("$ended_by", recording.EndedBy)
        .With("$bytes", recording.Bytes)
        .With("$manifest_sha256", recording.ManifestSha256)
        .With("$retain_until", recording.RetainUntil)
        .With("$legal_hold", recording.LegalHold)
        .With("$shredded_at", recording.ShreddedAt);

    private static Recording ReadRecording(SqliteDataReader row) => new(
        Id: row.GetString(0),
        MeetingId: row.GetString(1),
        MeetingTitle: row.GetString(2),
        StartedBy: row.GetString(3),
        Scope: (RecordingScope)row.GetInt32(4),
        StartedAt: row.GetTime(5),
        StoppedAt: row.GetNullableTime(6),
        EndedBy: row.IsDBNull(7) ? null : row.GetString(7),
        Bytes: row.GetInt64(8),
        ManifestSha256: row.IsDBNull(9) ? null : (byte[])row.GetValue(9),
        RetainUntil: row.GetTime(10),
        LegalHold: row.GetBoolean(11),
        ShreddedAt: row.GetNullableTime(12));
}
