using Conclave.Meetings.Ports;
using Conclave.Meetings.SharedFiles;
using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>The shared files' index, in the table migration 5 made: sizes, uploaders and times, never content.</summary>
internal sealed class SqliteSharedFileIndex(SqliteConnector connector) : ISharedFileIndex
{
    // The column order ReadFile expects.
    private const string SelectFiles = """
        SELECT file_id, meeting_id, bytes, uploader_participant_id, uploader_attendee_key, uploaded_at, stored, room_emptied_at
        FROM shared_files
        """;

    public SharedFileReservation TryReserve(SharedFile file, long maxMeetingBytes, int maxFilesPerMeeting)
    {
        using var connection = connector.Open();
        // BEGIN IMMEDIATE takes the write lock before the totals are read: a second reservation
        // waits for this one and then counts it.
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var totals = connection.Command("SELECT count(*), coalesce(sum(bytes), 0) FROM shared_files WHERE meeting_id = $meeting_id")
            .With("$meeting_id", file.MeetingId))
        using (var reader = totals.ExecuteReader())
        {
            reader.Read();
            if (reader.GetInt64(0) >= maxFilesPerMeeting) return SharedFileReservation.MeetingCountFull;
            if (reader.GetInt64(1) + file.Bytes > maxMeetingBytes) return SharedFileReservation.MeetingBytesFull;
        }
        using (var insert = connection.Command("""
            INSERT INTO shared_files (file_id, meeting_id, bytes, uploader_participant_id, uploader_attendee_key, uploaded_at, stored, room_emptied_at)
            VALUES ($file_id, $meeting_id, $bytes, $uploader_participant_id, $uploader_attendee_key, $uploaded_at, $stored, $room_emptied_at)
            """)
            .With("$file_id", file.FileId)
            .With("$meeting_id", file.MeetingId)
            .With("$bytes", file.Bytes)
            .With("$uploader_participant_id", file.UploaderParticipantId)
            .With("$uploader_attendee_key", file.UploaderAttendeeKey)
            .With("$uploaded_at", file.UploadedAt)
            .With("$stored", file.Stored)
            .With("$room_emptied_at", file.RoomEmptiedAt))
        {
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return SharedFileReservation.Reserved;
    }

    public void MarkStored(string fileId) => Execute("UPDATE shared_files SET stored = 1 WHERE file_id = $file_id", "$file_id", fileId);

    public SharedFile? Find(string fileId)
    {
        using var connection = connector.Open();
        using var command = connection.Command($"{SelectFiles} WHERE file_id = $file_id").With("$file_id", fileId);
        return command.ReadSingle(ReadFile);
    }

    public void Remove(string fileId) => Execute("DELETE FROM shared_files WHERE file_id = $file_id", "$file_id", fileId);

    public void MarkRoomEmptied(string meetingId, DateTimeOffset at)
    {
        using var connection = connector.Open();
        using var command = connection.Command("UPDATE shared_files SET room_emptied_at = $at WHERE meeting_id = $meeting_id AND room_emptied_at IS NULL")
            .With("$meeting_id", meetingId).With("$at", at);
        command.ExecuteNonQuery();
    }

    public void MarkRoomOccupied(string meetingId) =>
        Execute("UPDATE shared_files SET room_emptied_at = NULL WHERE meeting_id = $meeting_id", "$meeting_id", meetingId);

    public void MarkEveryRoomEmptied(DateTimeOffset at)
    {
        using var connection = connector.Open();
        using var command = connection.Command("UPDATE shared_files SET room_emptied_at = $at WHERE room_emptied_at IS NULL").With("$at", at);
        command.ExecuteNonQuery();
    }

    public IReadOnlyList<SharedFile> EmptiedBy(DateTimeOffset cutoff)
    {
        using var connection = connector.Open();
        using var command = connection.Command($"{SelectFiles} WHERE stored = 1 AND room_emptied_at <= $cutoff ORDER BY room_emptied_at, file_id")
            .With("$cutoff", cutoff);
        return command.ReadAll(ReadFile);
    }

    public IReadOnlyList<SharedFile> UnfinishedBefore(DateTimeOffset cutoff)
    {
        using var connection = connector.Open();
        using var command = connection.Command($"{SelectFiles} WHERE stored = 0 AND uploaded_at < $cutoff ORDER BY uploaded_at, file_id")
            .With("$cutoff", cutoff);
        return command.ReadAll(ReadFile);
    }

    private void Execute(string sql, string name, string value)
    {
        using var connection = connector.Open();
        using var command = connection.Command(sql).With(name, value);
        command.ExecuteNonQuery();
    }

    private static SharedFile ReadFile(SqliteDataReader row) => new(
        FileId: row.GetString(0),
        MeetingId: row.GetString(1),
        Bytes: row.GetInt64(2),
        UploaderParticipantId: row.GetString(3),
        UploaderAttendeeKey: row.GetString(4),
        UploadedAt: row.GetTime(5),
        Stored: row.GetBoolean(6),
        RoomEmptiedAt: row.GetNullableTime(7));
}
