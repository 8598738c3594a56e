using Conclave.Meetings.Accounts;

namespace Conclave.Meetings.Scheduling;

/// <summary>A meeting as its host sees it in the console.</summary>
public sealed record MeetingDetails(Meeting Meeting, Account? Host, IReadOnlyList<Account> Roster, IReadOnlyList<Invitation> Invitations);

/// <summary>A new invitation: the link token is shown to the host once and never stored.</summary>
public sealed record IssuedInvitation(Invitation Invitation, string LinkToken);

/// <summary>An opened invitation: the guest pass goes into the guest's cookie, which need not outlive <paramref name="GuestPassEndsAt"/>.</summary>
/// <param name="GuestPassEndsAt">When the pass stops working unless the host ends the meeting earlier (<see cref="Meeting.GuestPassesEndAt"/>).</param>
public sealed record RedeemedInvitation(Invitation Invitation, string GuestPass, DateTimeOffset GuestPassEndsAt);
