using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Admission;

/// <summary>Someone who asks to enter a meeting: a logged-in account, or a guest holding a guest pass.</summary>
public abstract record Attendee
{
    /// <summary>Stable within a meeting: "account:42" or "invitation:&lt;id&gt;"; the host removes by it.</summary>
    public abstract string Key { get; }

    /// <summary>The name others see; never chosen by the browser (a guest's is bound to the invitation).</summary>
    public abstract string DisplayName { get; }

    public abstract string AuditName { get; }
}

public sealed record MemberAttendee(Account Account) : Attendee
{
    public override string Key => $"account:{Account.Id}";
    public override string DisplayName => Account.DisplayName;
    public override string AuditName => Account.AuditName;
}

public sealed record GuestAttendee(Invitation Invitation) : Attendee
{
    public override string Key => $"invitation:{Invitation.Id}";
    public override string DisplayName => Invitation.DisplayName;
    public override string AuditName => AuditActor.Guest(Invitation).Text;
}
