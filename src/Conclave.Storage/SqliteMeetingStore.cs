using Conclave.Meetings;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;
using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>Meetings, their rosters, guest invitations and barred members, in the tables migration 2 made (and migration 4's recordable flag).</summary>
internal sealed class SqliteMeetingStore(SqliteConnector connector) : IMeetingStore
{
    // Column orders ReadMeeting and ReadInvitation expect. Constants only: no value is ever part of the SQL text.
    private const string SelectMeetings = """
        SELECT m.id, m.title, m.host_account_id, m.starts_at, m.ends_at, m.lobby_for_members, m.locked, m.ended_at, m.created_at, m.recordable
        FROM meetings AS m
        """;

    private const string MeetingOrder = " ORDER BY m.starts_at, m.id";

    private const string SelectInvitations = """
        SELECT id, meeting_id, token_hash, display_name, expires_at, passcode_hash, passcode_failures, state, guest_pass_hash, created_at
        FROM invitations
        """;

    public void Create(Meeting meeting, IReadOnlyCollection<long> roster)
    {
        using var connection = connector.Open();
        using var transaction = connection.BeginTransaction();
        using var insert = BindMeeting(connection.Command("""
            INSERT INTO meetings (id, title, host_account_id, starts_at, ends_at, lobby_for_members, locked, ended_at, created_at, recordable)
            VALUES ($id, $title, $host_account_id, $starts_at, $ends_at, $lobby_for_members, $locked, $ended_at, $created_at, $recordable)
            """), meeting);
        try
        {
            insert.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.IsForeignKeyViolation())
        {
            throw DomainException.Invalid($"The host is no such account (id {meeting.HostAccountId}).");
        }
        catch (SqliteException e) when (e.IsUniqueViolation())
        {
            throw DomainException.Conflict($"A meeting with the id '{meeting.Id}' exists already.");
        }
        InsertRoster(connection, meeting.Id, roster);
        transaction.Commit();
    }

    public Meeting? Find(string meetingId)
    {
        using var connection = connector.Open();
        using var command = connection.Command(SelectMeetings + " WHERE m.id = $id").With("$id", meetingId);
        return command.ReadSingle(ReadMeeting);
    }

    public IReadOnlyList<Meeting> List()
    {
        using var connection = connector.Open();
        using var command = connection.Command(SelectMeetings + MeetingOrder);
        return command.ReadAll(ReadMeeting);
    }

    public IReadOnlyList<Meeting> ListHostedBy(long accountId)
    {
        using var connection = connector.Open();
        using var command = connection.Command(SelectMeetings + " WHERE m.host_account_id = $account_id" + MeetingOrder)
            .With("$account_id", accountId);
        return command.ReadAll(ReadMeeting);
    }

    public IReadOnlyList<Meeting> ListWithMember(long accountId)
    {
        using var connection = connector.Open();
        using var command = connection.Command(
            SelectMeetings + " JOIN roster AS r ON r.meeting_id = m.id WHERE r.account_id = $account_id" + MeetingOrder)
            .With("$account_id", accountId);
        return command.ReadAll(ReadMeeting);
    }

    public void Update(Meeting meeting)
    {
        using var connection = connector.Open();
        using var update = BindMeeting(connection.Command("""
            UPDATE meetings
            SET title = $title, host_account_id = $host_account_id, starts_at = $starts_at, ends_at = $ends_at,
                lobby_for_members = $lobby_for_members, locked = $locked, ended_at = $ended_at, created_at = $created_at,
                recordable = $recordable
            WHERE id = $id
            """), meeting);
        try
        {
            if (update.ExecuteNonQuery() == 0) throw DomainException.NotFound("No such meeting.");
        }
        catch (SqliteException e) when (e.IsForeignKeyViolation())
        {
            throw DomainException.Invalid($"The host is no such account (id {meeting.HostAccountId}).");
        }
    }

    public IReadOnlyList<long> Roster(string meetingId)
    {
        using var connection = connector.Open();
        using var command = connection.Command("SELECT account_id FROM roster WHERE meeting_id = $meeting_id ORDER BY account_id")
            .With("$meeting_id", meetingId);
        return command.ReadAll(row => row.GetInt64(0));
    }

    public void ReplaceRoster(string meetingId, IReadOnlyCollection<long> roster)
    {
        using var connection = connector.Open();
        using var transaction = connection.BeginTransaction();
        // Checked first, so that a foreign key failing below can only be an account's.
        using (var exists = connection.Command("SELECT EXISTS (SELECT 1 FROM meetings WHERE id = $id)").With("$id", meetingId))
        {
            if (!exists.ReadFlag()) throw DomainException.NotFound("No such meeting.");
        }
        using (var clear = connection.Command("DELETE FROM roster WHERE meeting_id = $meeting_id").With("$meeting_id", meetingId))
        {
            clear.ExecuteNonQuery();
        }
        InsertRoster(connection, meetingId, roster);
        transaction.Commit();
    }

    public void AddInvitation(Invitation invitation)
    {
        using var connection = connector.Open();
        using var insert = BindInvitation(connection.Command("""
            INSERT INTO invitations (id, meeting_id, token_hash, display_name, expires_at, passcode_hash, passcode_failures,
                                     state, guest_pass_hash, created_at)
            VALUES ($id, $meeting_id, $token_hash, $display_name, $expires_at, $passcode_hash, $passcode_failures,
                    $state, $guest_pass_hash, $created_at)
            """), invitation);
        WriteInvitation(insert);
    }

    public Invitation? FindInvitation(string invitationId)
    {
        using var connection = connector.Open();
        using var command = connection.Command(SelectInvitations + " WHERE id = $id").With("$id", invitationId);
        return command.ReadSingle(ReadInvitation);
    }

    public Invitation? FindInvitationByToken(ReadOnlySpan<byte> tokenHash)
    {
        using var connection = connector.Open();
        using var command = connection.Command(SelectInvitations + " WHERE token_hash = $token_hash").With("$token_hash", tokenHash.ToArray());
        return command.ReadSingle(ReadInvitation);
    }

    public Invitation? FindInvitationByGuestPass(ReadOnlySpan<byte> guestPassHash)
    {
        using var connection = connector.Open();
        using var command = connection.Command(SelectInvitations + " WHERE guest_pass_hash = $guest_pass_hash")
            .With("$guest_pass_hash", guestPassHash.ToArray());
        return command.ReadSingle(ReadInvitation);
    }

    public IReadOnlyList<Invitation> Invitations(string meetingId)
    {
        using var connection = connector.Open();
        using var command = connection.Command(SelectInvitations + " WHERE meeting_id = $meeting_id ORDER BY created_at, id")
            .With("$meeting_id", meetingId);
        return command.ReadAll(ReadInvitation);
    }

    public int? CountPasscodeTry(string invitationId, int maxTries)
    {
        using var connection = connector.Open();
        // One statement: SQLite runs it under the database's write lock, so concurrent tries
        // each see the count the one before them left.
        using var update = connection.Command("""
            UPDATE invitations SET passcode_failures = passcode_failures + 1
            WHERE id = $id AND state = $issued AND passcode_failures < $max_tries
            RETURNING passcode_failures
            """)
            .With("$id", invitationId)
            .With("$issued", nameof(InvitationState.Issued))
            .With("$max_tries", maxTries);
        return update.ExecuteScalar() is long tries ? (int)tries : null;
    }

    public bool TryRedeemInvitation(string invitationId, byte[] guestPassHash, bool refundPasscodeTry)
    {
        using var connection = connector.Open();
        using var update = connection.Command("""
            UPDATE invitations
            SET state = $redeemed, guest_pass_hash = $guest_pass_hash, passcode_failures = passcode_failures - $refund
            WHERE id = $id AND state = $issued
            """)
            .With("$id", invitationId)
            .With("$redeemed", nameof(InvitationState.Redeemed))
            .With("$issued", nameof(InvitationState.Issued))
            .With("$guest_pass_hash", guestPassHash)
            .With("$refund", refundPasscodeTry ? 1 : 0);
        return WriteInvitation(update) > 0;
    }

    public bool TryChangeInvitationState(string invitationId, InvitationState from, InvitationState to)
    {
        using var connection = connector.Open();
        using var update = connection.Command("UPDATE invitations SET state = $to WHERE id = $id AND state = $from")
            .With("$id", invitationId)
            .With("$from", from.ToString())
            .With("$to", to.ToString());
        return update.ExecuteNonQuery() > 0;
    }

    public void Bar(string meetingId, long accountId)
    {
        using var connection = connector.Open();
        using var insert = connection.Command("""
            INSERT INTO barred (meeting_id, account_id) VALUES ($meeting_id, $account_id)
            ON CONFLICT DO NOTHING
            """)
            .With("$meeting_id", meetingId)
            .With("$account_id", accountId);
        try
        {
            insert.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.IsForeignKeyViolation())
        {
            throw DomainException.NotFound("No such meeting or account.");
        }
    }

    public bool IsBarred(string meetingId, long accountId)
    {
        using var connection = connector.Open();
        using var command = connection.Command("SELECT EXISTS (SELECT 1 FROM barred WHERE meeting_id = $meeting_id AND account_id = $account_id)")
            .With("$meeting_id", meetingId)
            .With("$account_id", accountId);
        return command.ReadFlag();
    }

    /// <summary>Inside the caller's transaction: an account that does not exist undoes the whole write.</summary>
    private static void InsertRoster(SqliteConnection connection, string meetingId, IReadOnlyCollection<long> roster)
    {
        using var insert = connection.Command("INSERT INTO roster (meeting_id, account_id) VALUES ($meeting_id, $account_id)")
            .With("$meeting_id", meetingId);
        var account = insert.Parameters.Add("$account_id", SqliteType.Integer);
        // Naming someone twice is the same roster, not an error.
        foreach (long accountId in roster.Distinct())
        {
            account.Value = accountId;
            try
            {
                insert.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.IsForeignKeyViolation())
            {
                throw DomainException.Invalid($"The roster names no such account (id {accountId}).");
            }
        }
    }

    /// <summary>Runs an invitation's INSERT or UPDATE; returns the rows it wrote.</summary>
    private static int WriteInvitation(SqliteCommand command)
    {
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.IsForeignKeyViolation())
        {
            throw DomainException.NotFound("No such meeting.");
        }
        catch (SqliteException e) when (e.IsUniqueViolation())
        {
            throw DomainException.Conflict("Another invitation has this id, link or guest pass.");
        }
    }

    private static SqliteCommand BindMeeting(SqliteCommand command, Meeting meeting) => command
        .With("$id", meeting.Id)
        .With("$title", meeting.Title)
        .With("$host_account_id", meeting.HostAccountId)
        .With("$starts_at", meeting.StartsAt)
        .With("$ends_at", meeting.EndsAt)
        .With("$lobby_for_members", meeting.LobbyForMembers)
        .With("$locked", meeting.Locked)
        .With("$ended_at", meeting.EndedAt)
        .With("$created_at", meeting.CreatedAt)
        .With("$recordable", meeting.Recordable);

    private static SqliteCommand BindInvitation(SqliteCommand command, Invitation invitation) => command
        .With("$id", invitation.Id)
        .With("$meeting_id", invitation.MeetingId)
        .With("$token_hash", invitation.TokenHash)
        .With("$display_name", invitation.DisplayName)
        .With("$expires_at", invitation.ExpiresAt)
        .With("$passcode_hash", invitation.PasscodeHash)
        .With("$passcode_failures", invitation.PasscodeFailures)
        .With("$state", invitation.State.ToString())
        .With("$guest_pass_hash", invitation.GuestPassHash)
        .With("$created_at", invitation.CreatedAt);

    private static Meeting ReadMeeting(SqliteDataReader row) => new(
        Id: row.GetString(0),
        Title: row.GetString(1),
        HostAccountId: row.GetInt64(2),
        StartsAt: row.GetTime(3),
        EndsAt: row.GetTime(4),
        LobbyForMembers: row.GetBoolean(5),
        Locked: row.GetBoolean(6),
        EndedAt: row.GetNullableTime(7),
        CreatedAt: row.GetTime(8),
        Recordable: row.GetBoolean(9));

    private static Invitation ReadInvitation(SqliteDataReader row)
    {
        string id = row.GetString(0);
        string state = row.GetString(7);
        // The state is stored by name, so reordering the enum cannot change what a row means.
        if (!Enum.TryParse(state, out InvitationState parsed) || !Enum.IsDefined(parsed))
        {
            throw new InvalidDataException($"The invitation '{id}' has the unknown state '{state}'.");
        }
        return new Invitation(
            Id: id,
            MeetingId: row.GetString(1),
            TokenHash: row.GetBlob(2),
            DisplayName: row.GetString(3),
            ExpiresAt: row.GetTime(4),
            PasscodeHash: row.GetNullableString(5),
            PasscodeFailures: row.GetInt32(6),
            State: parsed,
            GuestPassHash: row.GetNullableBlob(8),
            CreatedAt: row.GetTime(9));
    }
}
