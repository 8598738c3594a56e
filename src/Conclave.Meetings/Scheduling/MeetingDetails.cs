using Conclave.Meetings.Accounts;

namespace Conclave.Meetings.Scheduling;

/// <summary>A meeting as its host sees it in the console.</summary>
public sealed record MeetingDetails(Meeting Meeting, Account? Host, IReadOnlyList<Account> Roster, IReadOnlyList<Invitation> Invitations);

/// <summary>A new invitation: the link token is shown to the host once and never stored.</summary>
public sealed record IssuedInvitation(Invitation Invitation, string LinkToken);

/// <summary>An opened invitation: the guest pass goes into the guest's cookie.</summary>
public sealed record RedeemedInvitation(Invitation Invitation, string GuestPass);
