using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Audit;

/// <summary>
/// Who acted, as the record's "actor" field names them. Every form is made here: what a
/// request claims before it is authenticated (its source address, a typed user name) goes
/// through <see cref="AuditText.Untrusted"/>.
/// </summary>
public sealed record AuditActor
{
    private AuditActor(string text, string? source = null)
    {
        Text = text;
        Source = source;
    }

    /// <summary>The wire form.</summary>
    public string Text { get; }

    /// <summary>
    /// The address of someone not (yet) authenticated, as the request gave it: their refusals
    /// are counted per source network rather than each written (<see cref="RefusalAggregator"/>).
    /// Null for everyone the appliance knows.
    /// </summary>
    public string? Source { get; }

    public override string ToString() => Text;

    /// <summary>conclaved itself: "conclaved".</summary>
    public static AuditActor Daemon { get; } = new("conclaved");

    /// <summary>A logged-in account: "user:alice".</summary>
    public static AuditActor User(Account account) => new($"user:{account.UserName}");

    /// <summary>Someone not logged in: "anonymous@&lt;source&gt;".</summary>
    public static AuditActor Anonymous(string source) => new($"anonymous@{AuditText.Untrusted(source)}", source);

    /// <summary>
    /// A login attempt under the user name typed at the form: "user:&lt;name&gt;@&lt;source&gt;", or
    /// <see cref="Anonymous"/> when the name is empty or longer than any user name can be.
    /// </summary>
    public static AuditActor Claiming(string userName, string source) => userName.Length is > 0 and <= Validation.MaxUserNameLength
        ? new($"user:{AuditText.Untrusted(userName)}@{AuditText.Untrusted(source)}", source)
        : Anonymous(source);

    /// <summary>A guest, by their invitation: "guest:&lt;invitation id&gt;".</summary>
    public static AuditActor Guest(Invitation invitation) => new($"guest:{invitation.Id}");

    /// <summary>A guest the moment their link becomes a guest pass: "guest:&lt;invitation id&gt;@&lt;source&gt;".</summary>
    public static AuditActor Guest(Invitation invitation, string source) => new($"guest:{invitation.Id}@{AuditText.Untrusted(source)}");

    /// <summary>Someone asking to enter a meeting: the account, or the guest.</summary>
    public static AuditActor Of(Attendee attendee) => attendee switch
    {
        MemberAttendee member => User(member.Account),
        GuestAttendee guest => Guest(guest.Invitation),
        _ => throw new ArgumentOutOfRangeException(nameof(attendee)),
    };

    /// <summary>The operator on the box, by their system account: "conclavectl@root".</summary>
    public static AuditActor Operator(string systemUserName) => new($"conclavectl@{AuditText.Untrusted(systemUserName)}");
}
