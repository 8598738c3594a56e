using Conclave.Meetings.Audit;

namespace Conclave.Meetings.Scheduling;

public enum InvitationState
{
    /// <summary>Sent, not yet opened.</summary>
    Issued,
    /// <summary>Opened by the guest: their browser holds the guest pass.</summary>
    Redeemed,
    /// <summary>The host denied the guest in the lobby.</summary>
    Denied,
    /// <summary>The host removed the guest from the meeting.</summary>
    Removed,
    /// <summary>The host withdrew it, or its passcode was guessed wrong too often.</summary>
    Revoked,
}

/// <summary>
/// A one-time link for a guest, bound to a display name. The link holds a random 256-bit
/// token and the store only its SHA-256; opening it turns it into a guest pass (a cookie,
/// likewise stored only as a hash), so the link cannot be used a second time.
/// </summary>
/// <param name="PasscodeHash">Argon2id of the optional passcode the host tells the guest separately.</param>
public sealed record Invitation(
    string Id,
    string MeetingId,
    byte[] TokenHash,
    string DisplayName,
    DateTimeOffset ExpiresAt,
    string? PasscodeHash,
    int PasscodeFailures,
    InvitationState State,
    byte[]? GuestPassHash,
    DateTimeOffset CreatedAt)
{
    /// <summary>Wrong passcodes before the invitation is revoked.</summary>
    public const int MaxPasscodeFailures = 5;

    public string AuditName => AuditObject.Of(this).Text;
}
